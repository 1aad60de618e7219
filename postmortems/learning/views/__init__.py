"""Learning screens, one module per screen: comments, notifications, search,
insights and share links. Every lookup goes through the visibility rule."""
