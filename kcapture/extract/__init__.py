"""Extractors that read facts out of a segmented Document: the visit card, keywords, personal-data spans."""
