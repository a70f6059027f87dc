// Command actility-bridge receives the messages of an Actility ThingPark X IoT Flow
// connection and stores them on TagoIO devices, and queues TagoIO's downlinks on
// ThingPark: a self-hosted stand-in for TagoIO's Actility middleware, in both
// directions.
//
// On ThingPark, create a TagoIO connection whose destination URL is the bridge, with
// the TagoIO authorization key in the query, as Actility documents it:
//
//	https://<host>/uplink?authorization=<key>
//
// (The key is also accepted in the Authorization header.) ThingPark posts each uplink
// and Location Engine location message there; the bridge resolves the device whose
// serial is the DevEUI with a network token and sends the message's variables as that
// device. Notifications and downlink reports are acknowledged and logged, not stored.
// See the package github.com/go-tago/tago/actility for what is stored and how failures
// are answered.
//
// POST /downlink is the route TagoIO posts downlinks to when the bridge is the
// network's middleware endpoint ({"device", "authorization", "payload", "port",
// "confirmed"}); the bridge posts them to the connection's ThingPark downlink URL,
// which newer IoT Flow versions send with every uplink (or -downlink-url).
//
// Usage:
//
//	TAGO_NETWORK_TOKEN=... actility-bridge [flags]
//
// Flags (each also read from the environment variable in brackets):
//
//	-listen addr          address to listen on [ACTILITY_BRIDGE_LISTEN] (default ":8080")
//	-path path            path ThingPark posts to [ACTILITY_BRIDGE_PATH] (default "/uplink")
//	-downlink-path path   path TagoIO posts downlinks to [ACTILITY_BRIDGE_DOWNLINK_PATH] (default "/downlink")
//	-network-token tok    TagoIO network token [TAGO_NETWORK_TOKEN]; prefer the variable,
//	                      since flags show in process listings
//	-region r             TagoIO region, us-e1 or eu-w1 [TAGO_REGION] (default us-e1)
//	-api-url url          TagoIO API URL, for TagoIO Deploy or self-hosted [TAGO_API_URL]
//	-state-file file      file remembering the messages stored, so that none is stored
//	                      twice across restarts [ACTILITY_BRIDGE_STATE_FILE]; without it
//	                      the memory is lost on restart and older messages are looked
//	                      for on TagoIO before they are stored
//	-state-max n          messages remembered, for a day each [ACTILITY_BRIDGE_STATE_MAX] (default 1000000)
//	-spool file           a spool file (package spool) [ACTILITY_BRIDGE_SPOOL]: the bridge
//	                      answers ThingPark once a message is durable in it and delivers
//	                      it to TagoIO afterwards, in order and exactly once, through
//	                      outages and restarts; it also remembers the messages (so
//	                      -state-file is not needed with it)
//	-downlink-url url     the connection's ThingPark downlink URL, for devices whose
//	                      uplinks do not bring one [ACTILITY_BRIDGE_DOWNLINK_URL]
//	-downlink-hosts list  hosts downlinks may go to, comma-separated
//	                      [ACTILITY_BRIDGE_DOWNLINK_HOSTS] (default thingpark.io,thingpark.com,actility.com)
//	-client-ip-header h   header holding the client address, behind a reverse proxy
//	                      [ACTILITY_BRIDGE_CLIENT_IP_HEADER]; its last address is used
//	-tls-cert file        TLS certificate, to serve HTTPS [ACTILITY_BRIDGE_TLS_CERT]
//	-tls-key file         TLS private key [ACTILITY_BRIDGE_TLS_KEY]
//	-max-body n           largest message body in bytes [ACTILITY_BRIDGE_MAX_BODY] (default 262144)
//	-shutdown-timeout d   how long SIGTERM waits for messages in flight [ACTILITY_BRIDGE_SHUTDOWN_TIMEOUT] (default 40s)
//	-log-level l          debug, info, warn or error [ACTILITY_BRIDGE_LOG_LEVEL] (default info)
//
// The key travels in the URL: keep access logs of proxies in front of the bridge off,
// or have them drop the query. GET /healthz answers 200 while the bridge serves. On
// SIGTERM or SIGINT the bridge stops accepting connections and finishes the messages
// in flight before it exits.
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
	"github.com/go-tago/tago/spool"
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
	downlinkPath, stateFile, downlinkURL, clientIPHeader           string
	spoolFile                                                      string
	downlinkHosts                                                  []string
	stateMax                                                       int
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
	fs.StringVar(&o.path, "path", env("ACTILITY_BRIDGE_PATH", "/uplink"), "path ThingPark posts to (https://<host>/uplink?authorization=<key>)")
	fs.StringVar(&o.downlinkPath, "downlink-path", env("ACTILITY_BRIDGE_DOWNLINK_PATH", "/downlink"), "path TagoIO posts downlinks to")
	fs.StringVar(&o.stateFile, "state-file", env("ACTILITY_BRIDGE_STATE_FILE", ""), "file remembering the messages stored, across restarts")
	fs.StringVar(&o.spoolFile, "spool", env("ACTILITY_BRIDGE_SPOOL", ""), "spool file: answer ThingPark once a message is durable and deliver it afterwards")
	fs.StringVar(&o.downlinkURL, "downlink-url", "", "the connection's ThingPark downlink URL (default $ACTILITY_BRIDGE_DOWNLINK_URL)")
	hosts := env("ACTILITY_BRIDGE_DOWNLINK_HOSTS", "")
	fs.Func("downlink-hosts", "hosts downlinks may go to, comma-separated (default thingpark.io,thingpark.com,actility.com)", func(v string) error {
		hosts = v
		return nil
	})
	fs.StringVar(&o.clientIPHeader, "client-ip-header", env("ACTILITY_BRIDGE_CLIENT_IP_HEADER", ""), "header holding the client address, behind a reverse proxy")
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
	fs.Int64Var(&o.maxBody, "max-body", maxBody, "largest message body, in bytes")
	stateMax, err := strconv.Atoi(env("ACTILITY_BRIDGE_STATE_MAX", "1000000"))
	if err != nil {
		return o, fmt.Errorf("ACTILITY_BRIDGE_STATE_MAX: %w", err)
	}
	fs.IntVar(&o.stateMax, "state-max", stateMax, "messages remembered, for a day each")
	shutdown, err := time.ParseDuration(env("ACTILITY_BRIDGE_SHUTDOWN_TIMEOUT", "40s"))
	if err != nil {
		return o, fmt.Errorf("ACTILITY_BRIDGE_SHUTDOWN_TIMEOUT: %w", err)
	}
	fs.DurationVar(&o.shutdown, "shutdown-timeout", shutdown, "how long shutdown waits for messages in flight")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, h := range strings.Split(hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			o.downlinkHosts = append(o.downlinkHosts, h)
		}
	}
	if o.downlinkURL == "" {
		o.downlinkURL = strings.TrimSpace(getenv("ACTILITY_BRIDGE_DOWNLINK_URL"))
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
	case !strings.HasPrefix(o.downlinkPath, "/") || o.downlinkPath == o.path:
		return o, errors.New("-downlink-path must start with / and differ from -path")
	case o.stateMax <= 0:
		return o, errors.New("-state-max must be positive")
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
	cfg := actility.BridgeConfig{
		NetworkToken: tago.Secret(o.token), HTTPClient: o.client, ClientOptions: clientOpts, Logger: logger,
		MaxBodyBytes: o.maxBody, Timeout: uplinkTimeout, DownlinkURL: tago.Secret(o.downlinkURL),
		DownlinkHosts: o.downlinkHosts,
	}
	logCfg := actility.DeliveryLogConfig{MaxEntries: o.stateMax}
	var sp *spool.Spool
	if o.spoolFile != "" {
		if o.stateFile != "" {
			return errors.New("-spool keeps the bridge's memory of messages itself: give -spool or -state-file, not both")
		}
		s, err := spool.Open(o.spoolFile, &spool.Options{Logger: logger})
		if err != nil {
			return err
		}
		sp = s
		defer sp.Close()
		cfg.Spool = sp
		st := sp.Stats()
		logger.Info("actility-bridge: spooling messages", slog.String("file", o.spoolFile), slog.Int("queued", st.Points))
	} else if o.stateFile != "" {
		f, err := actility.OpenDeliveryFile(o.stateFile, actility.DeliveryFileOptions{DeliveryLogConfig: logCfg})
		if err != nil {
			return err
		}
		defer f.Close()
		cfg.Deliveries = f
		logger.Info("actility-bridge: remembering deliveries", slog.String("file", o.stateFile), slog.Int("records", f.Len()))
	} else {
		cfg.Deliveries = actility.NewMemoryLog(logCfg)
		logger.Warn("actility-bridge: no -state-file: a restart forgets which messages were stored; older messages are looked for on TagoIO first")
	}
	if h := o.clientIPHeader; h != "" {
		cfg.Source = func(r *http.Request) string { return lastAddress(r.Header.Values(h), r.RemoteAddr) }
	}
	bridge, err := actility.NewBridge(cfg)
	if err != nil {
		return err
	}
	if err := checkNetwork(ctx, o, clientOpts, logger); err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.Handle(o.path, bridge)
	mux.Handle(o.downlinkPath, bridge.DownlinkHandler())
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
		slog.String("downlink_path", o.downlinkPath), slog.Bool("tls", o.tlsCert != ""))
	if ready != nil {
		ready <- ln.Addr().String()
	}

	if sp != nil {
		runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
		ran := make(chan struct{})
		go func() {
			defer close(ran)
			_ = sp.Run(runCtx, bridge.Route())
		}()
		defer func() { stopRun(); <-ran }() // after the server's shutdown: what it accepted is durable
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

// lastAddress returns the last address of a forwarding header (the one the nearest
// proxy wrote), or the host of remote when there is none.
func lastAddress(values []string, remote string) string {
	for i := len(values) - 1; i >= 0; i-- {
		parts := strings.Split(values[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			if p := strings.TrimSpace(parts[j]); p != "" {
				return p
			}
		}
	}
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}
