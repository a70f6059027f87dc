package tago

// DashboardsService manages dashboards and widgets (account token).
type DashboardsService service
