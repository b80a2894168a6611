package io.tpostream.trainer.image;

/** An image that cannot be used, why (a reason code) and what an operator can do about it (the message). */
public final class UnusableImageException extends Exception {

    private final ImageProblem problem;

    public UnusableImageException(ImageProblem problem, String detail) {
        super(detail);
        this.problem = problem;
    }

    public ImageProblem problem() {
        return problem;
    }
}
