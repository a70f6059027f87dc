package tago_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
)

// Back a device's data up to a CSV file in Files and restore it into another device.
// On the platform both run in the background; tagotest runs them at once.
func ExampleDevicesService_BackupData() {
	srv, err := tagotest.Start(tagotest.WithSeed(1), tagotest.WithClock(func() time.Time {
		return time.Date(2024, 5, 24, 12, 0, 0, 0, time.UTC)
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	client, err := tago.NewClient(tago.AccountToken(srv.AccountToken()), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	boiler := srv.AddDevice(tagotest.DeviceSpec{Name: "Boiler"})
	srv.AddData(boiler.ID, tagotest.Record{Variable: "temperature", Value: 21.5, Unit: "°C"},
		tagotest.Record{Variable: "temperature", Value: 22, Unit: "°C"})

	backup, err := client.Devices.BackupData(ctx, boiler.ID, tago.DataBackupRequest{FileAddress: "/backups/boiler-$TIMESTAMP$"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(backup.Status, backup.FileAddress)

	spare := srv.AddDevice(tagotest.DeviceSpec{Name: "Spare boiler"})
	if err := client.Devices.RestoreData(ctx, spare.ID, tago.DataRestoreRequest{FileAddress: backup.FileAddress}); err != nil {
		log.Fatal(err)
	}
	n, err := client.Devices.DataAmount(ctx, spare.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("restored records:", n)
	// Output:
	// scheduled backups/boiler-1716552000000.csv
	// restored records: 2
}

// A network-server bridge holding its network's token sends an uplink with the
// authorization key the network server sent; the network's payload parser finds the
// device by its serial, so the bridge needs no device token.
func ExampleNetworksService_SendData() {
	srv, network, connector := startLoRaWAN()
	defer srv.Close()
	ctx := context.Background()
	const devEUI = "70B3D57ED0041234"
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Cold room 3", Network: network.ID, Connector: connector.ID, SerieNumber: devEUI})
	key := srv.AddAuthorization(tagotest.AuthorizationSpec{Name: "ThingPark"})

	bridge, err := tago.NewClient(tago.NetworkToken(network.Token), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	err = bridge.Networks.SendData(ctx, key.Key, tago.Data{Variable: "payload", Value: "0109611395", Metadata: map[string]any{"serial": devEUI}})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range srv.Data(dev.ID) {
		fmt.Println(r.Variable, r.Value)
	}
	// Output:
	// payload 0109611395
}
