"""Application forms as data: the definition format (definition.py), the programmes' default
forms (defaults.py) and their JSON Schema (schema.py). See docs/domain.md, Application forms."""

from .definition import (  # noqa: F401
    DefinitionError,
    FormDefinition,
    Kind,
    Question,
    Role,
    StepDefinition,
    parse,
    text,
)
