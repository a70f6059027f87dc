package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// envOf returns a getenv reading from m.
func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParse(t *testing.T) {
	t.Parallel()
	o, err := parse(nil, envOf(map[string]string{"TAGO_NETWORK_TOKEN": " net-token ", "TAGO_REGION": "eu-w1",
		"ACTILITY_BRIDGE_LISTEN": ":9000", "ACTILITY_BRIDGE_MAX_BODY": "1024"}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{listen: ":9000", path: "/uplink", downlinkPath: "/downlink", token: "net-token", region: "eu-w1", logLevel: "info",
		maxBody: 1024, stateMax: 1000000, shutdown: 40 * time.Second}, o)

	// Flags win over the environment.
	o, err = parse([]string{"-listen", "127.0.0.1:8443", "-network-token", "flag-token", "-api-url", "https://api.example.tagoio.net",
		"-tls-cert", "c.pem", "-tls-key", "k.pem", "-path", "/tago", "-shutdown-timeout", "5s", "-log-level", "debug",
		"-state-file", "/var/lib/bridge/state", "-state-max", "5000", "-downlink-path", "/dl",
		"-downlink-url", "https://community.thingpark.io/iot-flow/downlinkMessages/x", "-downlink-hosts", "thingpark.io, tp.example.com",
		"-client-ip-header", "X-Forwarded-For"},
		envOf(map[string]string{"TAGO_NETWORK_TOKEN": "env-token", "ACTILITY_BRIDGE_DOWNLINK_HOSTS": "ignored.example.com"}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{listen: "127.0.0.1:8443", path: "/tago", downlinkPath: "/dl", token: "flag-token", apiURL: "https://api.example.tagoio.net",
		tlsCert: "c.pem", tlsKey: "k.pem", logLevel: "debug", maxBody: 262144, shutdown: 5 * time.Second,
		stateFile: "/var/lib/bridge/state", stateMax: 5000, downlinkURL: "https://community.thingpark.io/iot-flow/downlinkMessages/x",
		downlinkHosts: []string{"thingpark.io", "tp.example.com"}, clientIPHeader: "X-Forwarded-For"}, o)

	for _, tc := range []struct {
		args []string
		env  map[string]string
		err  string
	}{
		{nil, nil, "a network token is needed: set TAGO_NETWORK_TOKEN or -network-token"},
		{[]string{"-tls-cert", "c.pem"}, map[string]string{"TAGO_NETWORK_TOKEN": "t"}, "-tls-cert and -tls-key go together"},
		{[]string{"-region", "eu-w1", "-api-url", "https://x"}, map[string]string{"TAGO_NETWORK_TOKEN": "t"}, "-region and -api-url exclude each other"},
		{[]string{"-path", "uplink"}, map[string]string{"TAGO_NETWORK_TOKEN": "t"}, "-path must start with /"},
		{[]string{"-downlink-path", "/uplink"}, map[string]string{"TAGO_NETWORK_TOKEN": "t"}, "-downlink-path must start with / and differ from -path"},
		{[]string{"-state-max", "0"}, map[string]string{"TAGO_NETWORK_TOKEN": "t"}, "-state-max must be positive"},
		{[]string{"extra"}, map[string]string{"TAGO_NETWORK_TOKEN": "t"}, `unexpected arguments ["extra"]`},
		{nil, map[string]string{"TAGO_NETWORK_TOKEN": "t", "ACTILITY_BRIDGE_MAX_BODY": "big"}, `ACTILITY_BRIDGE_MAX_BODY: strconv.ParseInt: parsing "big": invalid syntax`},
	} {
		_, err := parse(tc.args, envOf(tc.env), io.Discard)
		assert.EqualError(t, err, tc.err)
	}
	_, err = parse([]string{"-h"}, envOf(nil), io.Discard)
	assert.ErrorIs(t, err, flag.ErrHelp)
}

// lockedBuffer collects log output written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

const uplink = `{"DevEUI_uplink":{"Time":"2024-12-17T09:16:55.911+00:00","DevEUI":"0018B20000000BEE","FPort":1,"FCntUp":368,"payload_hex":"9e18","LrrRSSI":-84.0,"LrrSNR":9.75,"SpFact":7}}`

func TestServeFinishesUplinksOnShutdown(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	netw := srv.AddNetwork(tagotest.NetworkSpec{Name: "LoRaWAN Actility"})
	auth := srv.AddAuthorization(tagotest.AuthorizationSpec{Name: "ThingPark"})
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "d", Network: netw.ID, SerieNumber: "0018B20000000BEE"})

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var logs lockedBuffer
	ready := make(chan string, 1)
	done := make(chan error, 1)
	o := options{listen: "127.0.0.1:0", path: "/uplink", downlinkPath: "/downlink", token: netw.Token, apiURL: srv.URL, logLevel: "info",
		maxBody: 1 << 16, stateMax: 1000, shutdown: 10 * time.Second, client: srv.Client()}
	go func() { done <- serve(ctx, o, &logs, ready) }()
	addr := <-ready
	base := "http://" + addr

	post := func(body string) (int, string) {
		req, err := http.NewRequest("POST", base+"/uplink", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", auth.Key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	resp, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	status, body := post(uplink)
	require.Equal(t, http.StatusOK, status, body)
	assert.JSONEq(t, `{"status":true,"result":"8 Data Added"}`, body)

	// An uplink in flight when SIGTERM comes is finished before the bridge exits.
	srv.Inject(tagotest.Fault{Method: "POST", Path: "/data", Delay: 400 * time.Millisecond})
	inflight := make(chan int, 1)
	go func() {
		s, _ := post(strings.Replace(uplink, `"FCntUp":368`, `"FCntUp":369`, 1))
		inflight <- s
	}()
	time.Sleep(150 * time.Millisecond)
	cancel()
	assert.Equal(t, http.StatusOK, <-inflight)
	require.NoError(t, <-done)
	assert.Len(t, srv.Data(dev.ID), 16)

	_, err = http.Get(base + "/healthz")
	assert.Error(t, err, "the listener is closed")
	out := logs.String()
	assert.Contains(t, out, `"msg":"actility-bridge: network","network":"LoRaWAN Actility"`)
	assert.Contains(t, out, "actility-bridge: stopped")
	assert.NotContains(t, out, auth.Key)
	assert.NotContains(t, out, netw.Token)
}

func TestServeRefusesARejectedToken(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	o := options{listen: "127.0.0.1:0", path: "/uplink", downlinkPath: "/downlink", token: "not-a-network-token", apiURL: srv.URL, logLevel: "info",
		maxBody: 1 << 16, stateMax: 1000, shutdown: time.Second, client: srv.Client()}
	err := serve(t.Context(), o, io.Discard, nil)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "the platform rejects the network token: "), err.Error())
	assert.NotContains(t, err.Error(), "not-a-network-token")
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns their files and a
// pool trusting the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bridge"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kb, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestServeTLS(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	netw := srv.AddNetwork(tagotest.NetworkSpec{Name: "LoRaWAN Actility"})
	auth := srv.AddAuthorization(tagotest.AuthorizationSpec{Name: "ThingPark"})
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "d", Network: netw.ID, SerieNumber: "0018B20000000BEE"})
	cert, key, pool := selfSigned(t)

	ctx, cancel := context.WithCancel(t.Context())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	o := options{listen: "127.0.0.1:0", path: "/uplink", downlinkPath: "/downlink", token: netw.Token, apiURL: srv.URL, logLevel: "error",
		maxBody: 1 << 16, stateMax: 1000, shutdown: time.Second, client: srv.Client(), tlsCert: cert, tlsKey: key}
	go func() { done <- serve(ctx, o, io.Discard, ready) }()
	addr := <-ready

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	req, err := http.NewRequest("POST", "https://"+addr+"/uplink", strings.NewReader(uplink))
	require.NoError(t, err)
	req.Header.Set("Authorization", auth.Key)
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Len(t, srv.Data(dev.ID), 8)
	cancel()
	require.NoError(t, <-done)

	// A certificate that does not parse stops the command at once.
	require.NoError(t, os.WriteFile(cert, []byte("not a certificate"), 0o600))
	err = serve(t.Context(), o, io.Discard, nil)
	require.Error(t, err)
	assert.False(t, errors.Is(err, http.ErrServerClosed))
	assert.Contains(t, err.Error(), "tls")
}

// TestServeRemembersAcrossRestarts runs the command twice on one state file, with the
// key in the query as Actility documents it: an uplink delivered to each run is
// stored once.
func TestServeRemembersAcrossRestarts(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	netw := srv.AddNetwork(tagotest.NetworkSpec{Name: "LoRaWAN Actility"})
	auth := srv.AddAuthorization(tagotest.AuthorizationSpec{Name: "ThingPark"})
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "d", Network: netw.ID, SerieNumber: "0018B20000000BEE"})
	state := filepath.Join(t.TempDir(), "state")
	// A fresh uplink: the in-memory fallback, which looks for old ones, cannot help.
	fresh := strings.Replace(uplink, "2024-12-17T09:16:55.911+00:00", time.Now().Add(5*time.Minute).UTC().Format("2006-01-02T15:04:05.000-07:00"), 1)

	run := func() (int, string) {
		ctx, cancel := context.WithCancel(t.Context())
		var logs lockedBuffer
		ready := make(chan string, 1)
		done := make(chan error, 1)
		o := options{listen: "127.0.0.1:0", path: "/uplink", downlinkPath: "/downlink", token: netw.Token, apiURL: srv.URL,
			logLevel: "info", maxBody: 1 << 16, stateMax: 1000, stateFile: state, shutdown: time.Second, client: srv.Client()}
		go func() { done <- serve(ctx, o, &logs, ready) }()
		base := "http://" + <-ready
		resp, err := http.Post(base+"/uplink?authorization="+auth.Key, "application/json", strings.NewReader(fresh))
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// The downlink route is served too.
		dl, err := http.Post(base+"/downlink", "application/json", strings.NewReader(`{}`))
		require.NoError(t, err)
		dl.Body.Close()
		assert.Equal(t, http.StatusBadRequest, dl.StatusCode)
		cancel()
		require.NoError(t, <-done)
		assert.NotContains(t, logs.String(), auth.Key)
		return resp.StatusCode, string(b)
	}
	status, body := run()
	require.Equal(t, http.StatusOK, status, body)
	assert.JSONEq(t, `{"status":true,"result":"8 Data Added"}`, body)
	status, body = run()
	require.Equal(t, http.StatusOK, status, body)
	assert.JSONEq(t, `{"status":true,"result":"already stored"}`, body)
	assert.Len(t, srv.Data(dev.ID), 8)
}

func TestLastAddress(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "10.0.0.2", lastAddress([]string{"203.0.113.9, 10.0.0.2"}, "127.0.0.1:5000"))
	assert.Equal(t, "10.0.0.3", lastAddress([]string{"203.0.113.9", "10.0.0.3 "}, "127.0.0.1:5000"))
	assert.Equal(t, "127.0.0.1", lastAddress(nil, "127.0.0.1:5000"))
}

// TestServeWithSpool runs the command twice on one spool file while the platform
// refuses data: each run answers ThingPark at once ("queued"), the redelivery in the
// second run is recognized, and once the platform is back the second run delivers the
// uplink, once.
func TestServeWithSpool(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	netw := srv.AddNetwork(tagotest.NetworkSpec{Name: "LoRaWAN Actility"})
	auth := srv.AddAuthorization(tagotest.AuthorizationSpec{Name: "ThingPark"})
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "d", Network: netw.ID, SerieNumber: "0018B20000000BEE"})
	spoolFile := filepath.Join(t.TempDir(), "spool.db")
	down := srv.Inject(tagotest.Fault{Method: "POST", Path: "/data", Status: http.StatusServiceUnavailable, Times: -1})

	run := func(until func() bool) (int, string) {
		ctx, cancel := context.WithCancel(t.Context())
		var logs lockedBuffer
		ready := make(chan string, 1)
		done := make(chan error, 1)
		o := options{listen: "127.0.0.1:0", path: "/uplink", downlinkPath: "/downlink", token: netw.Token, apiURL: srv.URL,
			logLevel: "info", maxBody: 1 << 16, stateMax: 1000, spoolFile: spoolFile, shutdown: time.Second, client: srv.Client()}
		go func() { done <- serve(ctx, o, &logs, ready) }()
		base := "http://" + <-ready
		resp, err := http.Post(base+"/uplink?authorization="+auth.Key, "application/json", strings.NewReader(uplink))
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if until != nil {
			require.Eventually(t, until, 10*time.Second, 5*time.Millisecond)
		}
		cancel()
		require.NoError(t, <-done)
		assert.NotContains(t, logs.String(), auth.Key)
		assert.Contains(t, logs.String(), "actility-bridge: spooling messages")
		return resp.StatusCode, string(b)
	}
	status, body := run(nil)
	require.Equal(t, http.StatusOK, status, body)
	assert.JSONEq(t, `{"status":true,"result":"8 Data queued"}`, body)
	assert.Empty(t, srv.Data(dev.ID))

	down.Remove()
	status, body = run(func() bool { return len(srv.Data(dev.ID)) == 8 })
	require.Equal(t, http.StatusOK, status, body)
	assert.JSONEq(t, `{"status":true,"result":"already stored"}`, body)
	assert.Len(t, srv.Data(dev.ID), 8)

	// The spool keeps the memory of messages itself: both files at once is refused.
	o := options{listen: "127.0.0.1:0", path: "/uplink", downlinkPath: "/downlink", token: netw.Token, apiURL: srv.URL,
		logLevel: "info", spoolFile: spoolFile, stateFile: filepath.Join(t.TempDir(), "state"), client: srv.Client()}
	err := serve(t.Context(), o, io.Discard, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "give -spool or -state-file, not both")
}
