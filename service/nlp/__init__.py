"""Reading minutes: from normalised text to a Record, its sections and the evidence behind each field."""
