package io.tpostream.ops.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

/**
 * How failures reach the user: one line that says what went wrong (and, for usage errors, where to look),
 * no stack trace unless TPO_DEBUG is set. Exit codes: 1 for failures at run time, 2 for usage errors.
 */
final class ErrorReporting implements IExecutionExceptionHandler, IParameterExceptionHandler {

    static final int RUNTIME_FAILURE = 1;
    static final int USAGE_ERROR = 2;

    private final boolean debug;

    ErrorReporting(boolean debug) {
        this.debug = debug;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": " + ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Run '" + name + " --help' for the options.");
        if (debug) {
            ex.printStackTrace(err);
        }
        err.flush();
        return USAGE_ERROR;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandSpec().qualifiedName() + ": error: " + describe(ex));
        if (debug) {
            ex.printStackTrace(err);
        } else {
            err.println("(set TPO_DEBUG=1 to see the stack trace)");
        }
        err.flush();
        return RUNTIME_FAILURE;
    }

    /** The exception's message, and its root cause's when that adds something. */
    static String describe(Throwable t) {
        String message = message(t);
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootMessage = root.getMessage() == null ? null : message(root);
        return root == t || rootMessage == null || message.contains(rootMessage)
                ? message : message + " (cause: " + rootMessage + ")";
    }

    /** Java's file-system exceptions carry only the path as their message; a bare path explains nothing. */
    private static String message(Throwable t) {
        if (t instanceof NoSuchFileException e) {
            return "no such file or directory: " + e.getFile();
        }
        if (t instanceof AccessDeniedException e) {
            return "permission denied: " + e.getFile();
        }
        if (t instanceof FileAlreadyExistsException e) {
            return "already exists: " + e.getFile();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
