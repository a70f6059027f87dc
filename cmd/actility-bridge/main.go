// Command actility-bridge receives Actility ThingPark uplinks and stores them on TagoIO
// devices: a self-hosted stand-in for TagoIO's Actility middleware.
//
// ThingPark posts each uplink ({"DevEUI_uplink": {...}}) with a TagoIO authorization key
// in the Authorization header; the bridge resolves the device whose serial is the
// DevEUI with a network token and sends the uplink's variables as that device. See the
// package github.com/go-tago/tago/actility for what is stored and how failures are
// answered.
//
// Usage:
//
//	TAGO_NETWORK_TOKEN=... actility-bridge [flags]
//
// Flags (each also read from the environment variable in brackets):
//
//	-listen addr        address to listen on [ACTILITY_BRIDGE_LISTEN] (default ":8080")
//	-path path          path ThingPark posts uplinks to [ACTILITY_BRIDGE_PATH] (default "/uplink")
//	-network-token tok  TagoIO network token [TAGO_NETWORK_TOKEN]; prefer the variable,
//	                    since flags show in process listings
//	-region r           TagoIO region, us-e1 or eu-w1 [TAGO_REGION] (default us-e1)
//	-api-url url        TagoIO API URL, for TagoIO Deploy or self-hosted [TAGO_API_URL]
//	-tls-cert file      TLS certificate, to serve HTTPS [ACTILITY_BRIDGE_TLS_CERT]
//	-tls-key file       TLS private key [ACTILITY_BRIDGE_TLS_KEY]
//	-max-body n         largest uplink body in bytes [ACTILITY_BRIDGE_MAX_BODY] (default 262144)
//	-shutdown-timeout d how long SIGTERM waits for uplinks in flight [ACTILITY_BRIDGE_SHUTDOWN_TIMEOUT] (default 40s)
//	-log-level l        debug, info, warn or error [ACTILITY_BRIDGE_LOG_LEVEL] (default info)
//
// GET /healthz answers 200 while the bridge serves. On SIGTERM or SIGINT the bridge
// stops accepting connections and finishes the uplinks in flight before it exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/actility"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "actility-bridge:", err)
		}
		os.Exit(2)
	}
}

// options are the command's settings.
type options struct {
	listen, path, token, region, apiURL, tlsCert, tlsKey, logLevel string
	maxBody                                                        int64
	shutdown                                                       time.Duration
	// client is the HTTP client for TagoIO; nil means the default (tests set it).
	client *http.Client
}

// parse reads flags, with the environment supplying defaults.
func parse(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	env := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	var o options
	fs := flag.NewFlagSet("actility-bridge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.listen, "listen", env("ACTILITY_BRIDGE_LISTEN", ":8080"), "address to listen on")
	fs.StringVar(&o.path, "path", env("ACTILITY_BRIDGE_PATH", "/uplink"), "path ThingPark posts uplinks to")
	fs.StringVar(&o.token, "network-token", "", "TagoIO network token (default $TAGO_NETWORK_TOKEN)")
	fs.StringVar(&o.region, "region", env("TAGO_REGION", ""), "TagoIO region: us-e1 or eu-w1")
	fs.StringVar(&o.apiURL, "api-url", env("TAGO_API_URL", ""), "TagoIO API URL (TagoIO Deploy, self-hosted)")
	fs.StringVar(&o.tlsCert, "tls-cert", env("ACTILITY_BRIDGE_TLS_CERT", ""), "TLS certificate file")
	fs.StringVar(&o.tlsKey, "tls-key", env("ACTILITY_BRIDGE_TLS_KEY", ""), "TLS private key file")
	fs.StringVar(&o.logLevel, "log-level", env("ACTILITY_BRIDGE_LOG_LEVEL", "info"), "debug, info, warn or error")
	maxBody, err := strconv.ParseInt(env("ACTILITY_BRIDGE_MAX_BODY", "262144"), 10, 64)
	if err != nil {
		return o, fmt.Errorf("ACTILITY_BRIDGE_MAX_BODY: %w", err)
	}
	fs.Int64Var(&o.maxBody, "max-body", maxBody, "largest uplink body, in bytes")
	shutdown, err := time.ParseDuration(env("ACTILITY_BRIDGE_SHUTDOWN_TIMEOUT", "40s"))
	if err != nil {
		return o, fmt.Errorf("ACTILITY_BRIDGE_SHUTDOWN_TIMEOUT: %w", err)
	}
	fs.DurationVar(&o.shutdown, "shutdown-timeout", shutdown, "how long shutdown waits for uplinks in flight")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.token == "" {
		o.token = strings.TrimSpace(getenv("TAGO_NETWORK_TOKEN"))
	}
	switch {
	case o.token == "":
		return o, errors.New("a network token is needed: set TAGO_NETWORK_TOKEN or -network-token")
	case (o.tlsCert == "") != (o.tlsKey == ""):
		return o, errors.New("-tls-cert and -tls-key go together")
	case o.region != "" && o.apiURL != "":
		return o, errors.New("-region and -api-url exclude each other")
	case !strings.HasPrefix(o.path, "/"):
		return o, errors.New("-path must start with /")
	case o.maxBody <= 0:
		return o, errors.New("-max-body must be positive")
	}
	return o, nil
}

// run serves until ctx ends, then shuts down gracefully. ready, when not nil, receives
// the address the bridge listens on.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, ready chan<- string) error {
	o, err := parse(args, getenv, stderr)
	if err != nil {
		return err
	}
	return serve(ctx, o, stderr, ready)
}

// serve runs the bridge with o.
func serve(ctx context.Context, o options, stderr io.Writer, ready chan<- string) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))

	var clientOpts []tago.Option
	switch {
	case o.apiURL != "":
		clientOpts = append(clientOpts, tago.WithBaseURL(o.apiURL))
	case o.region != "":
		clientOpts = append(clientOpts, tago.WithRegion(tago.Region(o.region)))
	}
	clientOpts = append(clientOpts, tago.WithUserAgent("actility-bridge/"+tago.Version))
	if level <= slog.LevelDebug {
		clientOpts = append(clientOpts, tago.WithLogger(logger))
	}
	const uplinkTimeout = 30 * time.Second
	bridge, err := actility.NewBridge(actility.BridgeConfig{
		NetworkToken: o.token, HTTPClient: o.client, ClientOptions: clientOpts, Logger: logger,
		MaxBodyBytes: o.maxBody, Timeout: uplinkTimeout,
	})
	if err != nil {
		return err
	}
	if err := checkNetwork(ctx, o, clientOpts, logger); err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.Handle(o.path, bridge)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
	})
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      uplinkTimeout + 15*time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	logger.Info("actility-bridge: listening", slog.String("addr", ln.Addr().String()), slog.String("path", o.path),
		slog.Bool("tls", o.tlsCert != ""))
	if ready != nil {
		ready <- ln.Addr().String()
	}

	errc := make(chan error, 1)
	go func() {
		if o.tlsCert != "" {
			errc <- srv.ServeTLS(ln, o.tlsCert, o.tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("actility-bridge: shutting down; finishing uplinks in flight")
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdown)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("actility-bridge: stopped")
	return nil
}

// checkNetwork asks the platform which network the token belongs to. A token the
// platform rejects stops the bridge; an unreachable platform only warns, since
// ThingPark retries the uplinks that arrive meanwhile.
func checkNetwork(ctx context.Context, o options, clientOpts []tago.Option, logger *slog.Logger) error {
	opts := clientOpts
	if o.client != nil {
		opts = append([]tago.Option{tago.WithHTTPClient(o.client)}, clientOpts...)
	}
	c, err := tago.NewClient(tago.NetworkToken(o.token), opts...)
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	n, err := c.Networks.Current(cctx)
	switch {
	case err == nil:
		logger.Info("actility-bridge: network", slog.String("network", n.Name), slog.String("id", n.ID))
	case errors.Is(err, tago.ErrUnauthorized), errors.Is(err, tago.ErrForbidden):
		return fmt.Errorf("the platform rejects the network token: %w", err)
	default:
		logger.Warn("actility-bridge: could not check the network token", slog.String("error", err.Error()))
	}
	return nil
}
