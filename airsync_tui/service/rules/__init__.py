"""Alert rules, their outbox and delivery: the headless half of `airsync watch`.

`engine.RulesEngine` turns watcher events into `alerts.Alert` transitions;
`store.AlertStore` keeps alerts and the notification outbox in the shared
local-state SQLite file; `delivery.Deliverer` sends the outbox through Apprise.
"""
