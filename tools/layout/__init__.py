"""The layout check: rules over the sampled frames, its settings, the contact sheet, the vision review."""
