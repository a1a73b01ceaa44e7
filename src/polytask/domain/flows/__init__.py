"""Operations that span aggregates: flows import resources, resources never import flows."""
