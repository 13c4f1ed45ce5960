"""A ModernGov decisions list page, as councils publish it, for tests that write their own decisions into one."""

PAGE = """Decisions

Use the search options at the bottom of the page to find decisions taken by the Council's Cabinet, Cabinet Members and officers.

Decisions published

{decisions}"""
