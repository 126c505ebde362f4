"""Message tables of the screens added after the first ones, merged into ``i18n.MESSAGES``;
one module per group of screens, each key with (Vietnamese, English)."""
