"""The app's pages, by area: pledges, follow-ups, dashboard, exports, records (statements,
entities, speakers), importing statements and reviewing their proposed pledges; with
what several of them share in `shared`."""
