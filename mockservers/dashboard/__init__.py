"""The dashboard: server-rendered HTML with a little JavaScript, over the /__admin JSON API."""
