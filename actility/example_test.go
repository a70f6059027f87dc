package actility_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/actility"
	"github.com/go-tago/tago/tagotest"
)

// An uplink as ThingPark posts it ("JSON untyped" variant: numbers as strings) and the
// variables TagoIO stores for it.
func ExampleToData() {
	body := []byte(`{"DevEUI_uplink": {"Time": "2018-03-06T11:19:06.357+01:00", "DevEUI": "0018b20000000b20",
		"FPort": "1", "FCntUp": "1174", "payload_hex": "9e1c48", "LrrRSSI": "-80.000000", "LrrSNR": "7.000000",
		"SpFact": "7", "Lrrid": "004A18E3", "CustomerID": "1100000077", "DevLAT": "45.851032", "DevLON": "1.266230"}}`)
	u, err := actility.ParseUplink(body)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range actility.ToData(u) {
		fmt.Printf("%-8s %-26v group=%s\n", d.Variable, d.Value, d.Group)
	}
	// Output:
	// time     2018-03-06T11:19:06.357+01:00 group=1520331546357-1174
	// deveui   0018b20000000b20           group=1520331546357-1174
	// fport    1                          group=1520331546357-1174
	// fcntup   1174                       group=1520331546357-1174
	// lrrrssi  -80                        group=1520331546357-1174
	// lrrsnr   7                          group=1520331546357-1174
	// spfact   7                          group=1520331546357-1174
	// lrrid    004A18E3                   group=1520331546357-1174
	// payload  9e1c48                     group=1520331546357-1174
	// location 45.851032,1.26623          group=1520331546357-1174
}

func ExampleNormalizeDevEUI() {
	devEUI, err := actility.NormalizeDevEUI("00-18-b2-00-00-00-0b-ee")
	fmt.Println(devEUI, err)
	// Output: 0018B20000000BEE <nil>
}

// A bridge in front of a fake TagoIO: ThingPark's POST of an uplink, to the URL Actility
// documents (the key in the query), lands on the device whose serial is the DevEUI.
func ExampleBridge() {
	srv, err := tagotest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	network := srv.AddNetwork(tagotest.NetworkSpec{Name: "LoRaWAN Actility"})
	key := srv.AddAuthorization(tagotest.AuthorizationSpec{Name: "ThingPark"}).Key
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Field tester", Network: network.ID, SerieNumber: "0018B20000000BEE"})

	bridge, err := actility.NewBridge(actility.BridgeConfig{
		NetworkToken:  tago.Secret(network.Token),
		HTTPClient:    srv.Client(),
		ClientOptions: []tago.Option{tago.WithBaseURL(srv.URL)},
	})
	if err != nil {
		log.Fatal(err)
	}
	hs := httptest.NewServer(bridge)
	defer hs.Close()

	req, _ := http.NewRequest("POST", hs.URL+"/uplink?authorization="+key, strings.NewReader(`{"DevEUI_uplink": {
		"Time": "2024-12-17T09:16:55.911+00:00", "DevEUI": "0018B20000000BEE", "FPort": 1, "FCntUp": 368,
		"payload_hex": "9e184856043000211770baae0bc9", "LrrRSSI": -84.0, "LrrSNR": 9.75, "SpFact": 7}}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(resp.StatusCode, " ", string(answer))
	for _, r := range srv.Data(dev.ID) {
		fmt.Println(r.Variable, r.Value)
	}
	// Output:
	// 200 {"status":true,"result":"8 Data Added"}
	// time 2024-12-17T09:16:55.911+00:00
	// deveui 0018B20000000BEE
	// fport 1
	// fcntup 368
	// lrrrssi -84
	// lrrsnr 9.75
	// spfact 7
	// payload 9e184856043000211770baae0bc9
}

// A ThingPark X Location Engine position, as TagoIO's decoder stores it: the indoor
// position with its beacons, floor and room as metadata.
func ExampleToData_location() {
	m, err := actility.ParseMessage([]byte(`{"deviceEUI": "20635f039100011e", "time": "2025-01-13T12:46:30.201Z",
		"coordinates": [103.84844, 1.37911, 0], "age": 17, "validityState": "NEW", "trackerType": "Micro Tracker V3.1",
		"rawPosition": {"rawPositionType": "RawPositionByBleSolver", "coordinates": [103.84844, 1.37911],
			"beaconIdData": [{"rssi": -65, "beaconId": "00-00-00-00-43-84"}], "floor_number": 4, "room_name": "S.439"}}`))
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range actility.ToData(m) {
		fmt.Println(d.Variable, d.Value, d.Metadata)
	}
	// Output:
	// deviceeui 20635f039100011e map[]
	// age 17 map[]
	// validitystate NEW map[]
	// trackertype Micro Tracker V3.1 map[]
	// rawposition_location 1.37911, 103.84844 map[beaconIdData_beaconId0:00-00-00-00-43-84 beaconIdData_rssi0:-65 floor_number:4 room_name:S.439]
}
