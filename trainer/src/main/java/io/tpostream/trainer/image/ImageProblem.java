package io.tpostream.trainer.image;

/**
 * Why the image of a pair could not be used. The name is the reason code of the pair's quarantine entry and of its
 * dead letter; consumers match on it, so names are never renamed, only added.
 */
public enum ImageProblem {
    /**
     * the reference leads nowhere: no inline bytes and no URI, a scheme other than file, http and https, a file that
     * cannot be read, a host name that does not resolve
     */
    IMAGE_UNRESOLVABLE,
    /** the URI's host is not on the allowlist, or it resolves to an address the trainer must not reach */
    IMAGE_HOST_REFUSED,
    /** connecting, or the whole request, took longer than allowed */
    IMAGE_FETCH_TIMEOUT,
    /** the fetch failed on the way: connection refused or reset, TLS refused, a broken response */
    IMAGE_FETCH_FAILED,
    /** the server answered with a status other than 200 (redirects are followed, a few, each target checked) */
    IMAGE_HTTP_STATUS,
    /** more bytes than allowed, or a header that declares more pixels than allowed */
    IMAGE_TOO_LARGE,
    /** the body does not start like a PNG or a JPEG */
    IMAGE_NOT_AN_IMAGE,
    /** the bytes do not hash to the sha-256 the pair records */
    IMAGE_SHA_MISMATCH,
    /** the bytes look like an image but no decoder can read them */
    IMAGE_UNDECODABLE
}
