"""Ideas: residents submit ideas to an area; everyone browses, searches and follows them."""
