"""Personal identifiers of member states that python-stdnum (2.2) does not validate, written to stdnum's module
interface (`compact`, `validate`, `is_valid`, `format`, the check-digit functions; stdnum's exceptions), so that
`national_ids` and the generated test set treat them as the stdnum modules they stand beside. Each module names its
sources; a module stdnum gains later replaces the one here.
"""
