"""Answer generators behind one small interface."""
