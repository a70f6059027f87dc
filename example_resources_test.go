package tago_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/go-tago/tago"
)

// resourcePlatform is a tiny stand-in for the TagoIO API, enough for the examples: it
// creates devices and service authorizations and resolves a DevEUI to a device token
// for a network token, answering with the platform's {"status", "result"} envelope.
type resourcePlatform struct {
	mu      sync.Mutex
	devices map[string]string // serie number → device token
	auths   map[string]bool   // authorization keys
}

// startResourcePlatform starts the stand-in on a loopback address.
func startResourcePlatform() *httptest.Server {
	p := &resourcePlatform{devices: map[string]string{}, auths: map[string]bool{}}
	return httptest.NewServer(p)
}

func (p *resourcePlatform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	answer := func(status int, result any) {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"status": status < 300, "result": result})
	}
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	switch {
	case r.Method == "POST" && r.URL.Path == "/device" && r.Header.Get("Account-Token") != "":
		serie, _ := body["serie_number"].(string)
		fmt.Printf("platform: device %q with serial %s on network %s\n", body["name"], serie, body["network"])
		p.devices[serie] = "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f7c3e"
		answer(http.StatusCreated, map[string]string{"device_id": "6650f0a1b2c3d4e5f6a7b8c9", "bucket_id": "6650f0a1b2c3d4e5f6a7b8c9",
			"token": p.devices[serie]})
	case r.Method == "POST" && r.URL.Path == "/serviceauth" && r.Header.Get("Account-Token") != "":
		key := "at5e0c1d2b3a49f8e7d6c5b4a3928170ab"
		p.auths[key] = true
		answer(http.StatusOK, map[string]string{"token": key, "name": body["name"].(string), "profile": "6650f0a1b2c3d4e5f6a7b000"})
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/integration/network/resolve/") && r.Header.Get("Token") != "":
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/integration/network/resolve/"), "/")
		switch tok, known := p.devices[parts[0]]; {
		case len(parts) != 2 || !p.auths[parts[1]]:
			answer(http.StatusUnauthorized, "Authorization denied")
		case !known:
			answer(http.StatusNotFound, "Device not found")
		default:
			answer(http.StatusOK, tok)
		}
	default:
		answer(http.StatusNotFound, "Route not found")
	}
}

// Create a LoRaWAN device: its network is the LoRaWAN network server's integration
// (here TagoIO's "LoRaWAN Actility"), its connector the sensor model's decoder, and its
// serial number the device's DevEUI. The result carries the device's first token as a
// tago.Secret, which prints masked.
func ExampleDevicesService_Create() {
	srv := startResourcePlatform()
	defer srv.Close()
	ctx := context.Background()

	client, err := tago.NewClient(tago.AccountToken("b7e2c1d0-1111-4222-8333-944455556666"), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	dev, err := client.Devices.Create(ctx, tago.DeviceCreateRequest{
		Name:           "Cold room 3",
		Network:        "5bbd0d144051a50034cd19fb",
		Connector:      "5f5a8f3351d4db99c40dece5",
		SerieNumber:    "70B3D57ED0041234",
		Type:           tago.DeviceImmutable,
		ChunkPeriod:    tago.ChunkMonth,
		ChunkRetention: tago.Ptr(12),
		Tags:           []tago.Tag{{Key: "site", Value: "lyon"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("device:", dev.ID)
	fmt.Println("token:", dev.Token) // dev.Token.Reveal() returns the value
	// Output:
	// platform: device "Cold room 3" with serial 70B3D57ED0041234 on network 5bbd0d144051a50034cd19fb
	// device: 6650f0a1b2c3d4e5f6a7b8c9
	// token: ****7c3e
}

// Create a service authorization: the "Authorization" key a LoRaWAN network server
// such as Actility ThingPark sends with every uplink. Configure its value in the
// network server (for ThingPark, the authorizationKey of the TagoIO connection). A
// bridge holding the network's token then finds the device for each uplink's DevEUI
// with ResolveToken.
func ExampleAuthorizationsService_Create() {
	srv := startResourcePlatform()
	defer srv.Close()
	ctx := context.Background()

	account, err := tago.NewClient(tago.AccountToken("b7e2c1d0-1111-4222-8333-944455556666"), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	auth, err := account.Authorizations.Create(ctx, tago.AuthorizationCreateRequest{Name: "Actility ThingPark"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("authorization %q: %v\n", auth.Name, auth.Token) // auth.Token.Reveal() goes to ThingPark

	_, err = account.Devices.Create(ctx, tago.DeviceCreateRequest{Name: "Cold room 3", Network: "5bbd0d144051a50034cd19fb",
		Connector: "5f5a8f3351d4db99c40dece5", SerieNumber: "70B3D57ED0041234"})
	if err != nil {
		log.Fatal(err)
	}

	bridge, err := tago.NewClient(tago.NetworkToken("c0ffee00-2222-4333-8444-a55566667777"), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	for _, devEUI := range []string{"70B3D57ED0041234", "70B3D57ED00499FF"} {
		tok, err := bridge.Networks.ResolveToken(ctx, devEUI, auth.Token.Reveal())
		switch {
		case errors.Is(err, tago.ErrNotFound):
			fmt.Println(devEUI, "-> unknown device")
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Println(devEUI, "-> device token", tok)
		}
	}
	// Output:
	// authorization "Actility ThingPark": ****70ab
	// platform: device "Cold room 3" with serial 70B3D57ED0041234 on network 5bbd0d144051a50034cd19fb
	// 70B3D57ED0041234 -> device token ****7c3e
	// 70B3D57ED00499FF -> unknown device
}
