package tago_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/go-tago/tago"
)

// platform starts a stand-in for the TagoIO API that answers every request with status
// and body. Real code talks to the cloud and needs no such server.
func platform(status int, body string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
}

func ExampleNewClient() {
	srv := platform(200, `{"status":true,"result":{"version":"3.1.0"}}`)
	defer srv.Close()

	// Against the cloud: tago.NewClient(tago.DeviceToken(token)), optionally with
	// tago.WithRegion(tago.RegionEUW1).
	c, err := tago.NewClient(tago.DeviceToken("2ca4b5b7-1c2d-4e5f-8a9b-0c1d2e3f4a5b"),
		tago.WithBaseURL(srv.URL), // a loopback test server may use plain http
		tago.WithUserAgent("my-gateway/1.0"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := c.Status(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.TokenKind(), "token, API", st.Version)
	// Output: device token, API 3.1.0
}

func ExampleNewClient_badInput() {
	_, err := tago.NewClient(tago.AccountToken("  "))
	fmt.Println(errors.Is(err, tago.ErrInvalidInput))
	fmt.Println(err)

	_, err = tago.NewClient(tago.AccountToken("2ca4b5b7-1c2d-4e5f-8a9b-0c1d2e3f4a5b"), tago.WithBaseURL("http://tago.example.com"))
	fmt.Println(err)
	// Output:
	// true
	// tago: invalid input: token: must not be empty (use Anonymous() for a client without a token)
	// tago: invalid input: base URL: "http://tago.example.com" uses plain http on a non-loopback host; use https, or WithInsecureHTTP() on a network you trust
}

func ExampleAPIError() {
	srv := platform(404, `{"status":false,"message":"Device not found"}`)
	defer srv.Close()
	c, err := tago.NewClient(tago.AccountToken("2ca4b5b7-1c2d-4e5f-8a9b-0c1d2e3f4a5b"), tago.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}

	_, err = c.Devices.Info(context.Background(), "5f0c0a0b0c0d0e0f00112233")
	switch {
	case errors.Is(err, tago.ErrNotFound):
		fmt.Println("no such device")
	case errors.Is(err, tago.ErrRateLimited), errors.Is(err, tago.ErrServer):
		fmt.Println("try again later")
	}
	var apiErr *tago.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.HTTPStatus, apiErr.Method, apiErr.Path, apiErr.Message)
	}
	fmt.Println(err)
	// Output:
	// no such device
	// 404 GET /device/5f0c0a0b0c0d0e0f00112233 Device not found
	// tago: GET /device/5f0c0a0b0c0d0e0f00112233: 404 Device not found
}
