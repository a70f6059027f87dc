package tago

// TokensService manages device tokens and profile tokens (account token).
type TokensService service

// AuthorizationsService manages service authorizations (account token).
type AuthorizationsService service
