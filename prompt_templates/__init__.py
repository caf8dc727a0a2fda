"""prompt_templates."""
