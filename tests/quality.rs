//! Detection quality on a generated, labelled corpus (filled in by the corpus work).
