package io.tpostream.trainer.eval;

import java.util.Locale;

/** One quadrant of the image; at most one object per slot. Declaration order is caption order. */
public enum Slot {
    TOP_LEFT(0, 0), TOP_RIGHT(1, 0), BOTTOM_LEFT(0, 1), BOTTOM_RIGHT(1, 1);

    private final int column;
    private final int row;

    Slot(int column, int row) {
        this.column = column;
        this.row = row;
    }

    public int column() {
        return column;
    }

    public int row() {
        return row;
    }

    /** "top-left". */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
