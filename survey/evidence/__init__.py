"""Evidence photos of feedback and inspections: checked, cleaned of metadata, stored by hash."""
