package tago_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
)

// startLoRaWAN starts a local fake of the platform, with reproducible IDs and tokens,
// holding a LoRaWAN network (as TagoIO's "LoRaWAN Actility") and a sensor's connector.
func startLoRaWAN() (*tagotest.Server, tagotest.Network, tagotest.Connector) {
	srv, err := tagotest.Start(tagotest.WithSeed(1), tagotest.WithClock(func() time.Time {
		return time.Date(2024, 5, 24, 12, 0, 0, 0, time.UTC)
	}))
	if err != nil {
		log.Fatal(err)
	}
	network := srv.AddNetwork(tagotest.NetworkSpec{Name: "LoRaWAN Actility", MiddlewareEndpoint: "actility.middleware.tago.io"})
	connector := srv.AddConnector(tagotest.ConnectorSpec{Name: "Cold room sensor", Networks: []string{network.ID}})
	return srv, network, connector
}

// Create a LoRaWAN device: its network is the LoRaWAN network server's integration
// (such as TagoIO's "LoRaWAN Actility"), its connector the sensor model's decoder, and
// its serial number the device's DevEUI. The result carries the device's first token as
// a tago.Secret, which prints masked.
func ExampleDevicesService_Create() {
	srv, network, connector := startLoRaWAN()
	defer srv.Close()
	ctx := context.Background()

	client, err := tago.NewClient(tago.AccountToken(srv.AccountToken()), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	dev, err := client.Devices.Create(ctx, tago.DeviceCreateRequest{
		Name:           "Cold room 3",
		Network:        network.ID,
		Connector:      connector.ID,
		SerieNumber:    "70B3D57ED0041234",
		Type:           tago.DeviceImmutable,
		ChunkPeriod:    tago.ChunkMonth,
		ChunkRetention: tago.Ptr(12),
		Tags:           []tago.Tag{{Key: "site", Value: "lyon"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("token:", dev.Token) // dev.Token.Reveal() returns the value

	info, err := client.Devices.Info(ctx, dev.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %s, serial %s, chunks of a %s kept %d times, tags %v\n",
		info.Name, info.Type, info.SerieNumber, info.ChunkPeriod, info.ChunkRetention, info.Tags)
	// Output:
	// token: ****3a1e
	// Cold room 3: immutable, serial 70B3D57ED0041234, chunks of a month kept 12 times, tags [{site lyon}]
}

// Create a service authorization: the "Authorization" key a LoRaWAN network server
// such as Actility ThingPark sends with every uplink. Configure its value in the
// network server (for ThingPark, the authorizationKey of the TagoIO connection). A
// bridge holding the network's token then finds the device for each uplink's DevEUI
// with ResolveToken.
func ExampleAuthorizationsService_Create() {
	srv, network, connector := startLoRaWAN()
	defer srv.Close()
	ctx := context.Background()

	account, err := tago.NewClient(tago.AccountToken(srv.AccountToken()), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	auth, err := account.Authorizations.Create(ctx, tago.AuthorizationCreateRequest{Name: "Actility ThingPark"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("authorization %q: %v\n", auth.Name, auth.Token) // auth.Token.Reveal() goes to ThingPark

	dev, err := account.Devices.Create(ctx, tago.DeviceCreateRequest{Name: "Cold room 3", Network: network.ID,
		Connector: connector.ID, SerieNumber: "70B3D57ED0041234"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("device token", dev.Token)

	bridge, err := tago.NewClient(tago.NetworkToken(network.Token), tago.WithBaseURL(srv.URL))
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
	// authorization "Actility ThingPark": ****f412
	// device token ****6667
	// 70B3D57ED0041234 -> device token ****6667
	// 70B3D57ED00499FF -> unknown device
}

// Send data as a device from a program that holds only an account token: ClientFor
// finds one of the device's tokens and returns a client carrying it, with the same
// settings.
func ExampleDevicesService_ClientFor() {
	srv, err := tagotest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Boiler"})

	client, err := tago.NewClient(tago.AccountToken(srv.AccountToken()), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	device, err := client.Devices.ClientFor(ctx, dev.ID)
	if err != nil {
		log.Fatal(err)
	}
	n, err := device.Data.Send(ctx, tago.Data{Variable: "temperature", Value: 21.5, Unit: "°C"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(device.TokenKind(), "token;", n, "stored;", len(srv.Data(dev.ID)), "held")
	// Output: device token; 1 stored; 1 held
}
