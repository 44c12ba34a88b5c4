"""Practice exercises of course 05 (Privacy Sandbox and private measurement): one module per lesson."""
