"""Moving in from WordPress: its export file (WXR) read as a stream, its HTML made Markdown, its
authors, terms, posts and pages made the site's (the command is comments' import_wordpress, which
brings the comments too)."""
