package io.tpostream.trainer.eval;

/** What a response token refers to: a shape (the object), a colour (its attribute), or anything else. */
public enum TokenCategory {
    OBJECT, ATTRIBUTE, OTHER
}
