"""The app's pages, by area: pledges, follow-ups, dashboard, exports, records."""
