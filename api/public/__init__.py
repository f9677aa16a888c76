"""Pages anyone reaches: login and logout, health, the app's own assets, evidence photos."""
