package tago

import (
	"context"
	"strings"
)

// networkOnly is the call.kinds of operations that need a network token.
var networkOnly = []TokenKind{KindNetwork}

// maxSerieLen bounds a serial number; a LoRaWAN DevEUI has 16 characters.
const maxSerieLen = 128

// ResolveToken returns the token of the device whose serial number is serie, as a
// network-server bridge does for each uplink: serie is the device's serial (for
// LoRaWAN, its DevEUI) and authorization the service authorization key the network
// server sent with the uplink (see [AuthorizationsService]). With an authorization the
// device is looked up in the profile owning that key; with an empty one, in every
// profile using the network (the most recently created device wins). It needs a
// network token.
//
// Errors are the platform's, untouched, so a bridge can tell apart an unknown device
// (errors.Is(err, ErrNotFound) or ErrBadRequest), a rejected network token or
// authorization key (ErrUnauthorized or ErrForbidden) and a platform that is down
// (ErrServer, or a [*RequestError] when no answer came). The authorization key never
// appears in errors or logs.
//
// TagoIO API: GET /integration/network/resolve/{serie}/{authorization}
func (s *NetworksService) ResolveToken(ctx context.Context, serie, authorization string) (Secret, error) {
	if strings.TrimSpace(serie) == "" {
		return "", invalidf("serie", "must not be empty")
	}
	if len(serie) > maxSerieLen || strings.ContainsAny(serie, "/?#\x00\r\n") {
		return "", invalidf("serie", "must be at most %d characters without '/', '?', '#' or control characters", maxSerieLen)
	}
	cl := &call{method: "GET", path: "/integration/network/resolve/" + escape(serie), kinds: networkOnly}
	if authorization != "" {
		if err := checkAuthorizationKey("authorization", authorization); err != nil {
			return "", err
		}
		cl.path += "/" + escape(authorization)
		cl.secrets = []string{authorization}
	}
	return do[Secret](ctx, s.cl(), cl)
}

// Current returns the network the client's network token belongs to.
//
// TagoIO API: GET /info
func (s *NetworksService) Current(ctx context.Context) (Network, error) {
	return do[Network](ctx, s.cl(), &call{method: "GET", path: "/info", kinds: networkOnly})
}
