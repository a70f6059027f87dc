package tagotest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/go-tago/tago/tagotest"
)

// request sends one request with a token header and returns the status and body.
func request(method, url, header, token, body string) (int, string) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set(header, token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// A device sends two readings with its token, then reads back the last value.
func Example() {
	srv, err := tagotest.Start()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})

	_, body := request("POST", srv.URL+"/data", "Device-Token", dev.Token,
		`[{"variable":"temperature","value":21.5,"unit":"C"},{"variable":"temperature","value":22,"unit":"C","time":"2030-01-01T00:00:00Z"}]`)
	fmt.Println(body)

	_, body = request("GET", srv.URL+"/data?variables=temperature&query=last_value", "Device-Token", dev.Token, "")
	var env struct {
		Result []struct {
			Value any    `json:"value"`
			Unit  string `json:"unit"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		panic(err)
	}
	fmt.Println(env.Result[0].Value, env.Result[0].Unit)

	_, body = request("GET", srv.URL+"/data?query=count", "Device-Token", dev.Token, "")
	fmt.Println(body)
	fmt.Println(len(srv.Data(dev.ID)), "records stored")
	// Output:
	// {"status":true,"result":"2 Data Added"}
	// 22 C
	// {"status":true,"result":2}
	// 2 records stored
}

// A proxy in front of the platform fails once with an HTML page; the request is not
// applied, and the next one goes through.
func ExampleServer_FailNext() {
	srv, _ := tagotest.Start()
	defer srv.Close()
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Pump"})
	srv.FailNext(1, "POST", "/data", http.StatusBadGateway, tagotest.BadGatewayHTML)

	for range 2 {
		status, _ := request("POST", srv.URL+"/data", "Device-Token", dev.Token, `{"variable":"flow","value":3}`)
		fmt.Println(status)
	}
	fmt.Println(len(srv.Data(dev.ID)), "record stored")
	for _, r := range srv.Requests() {
		fmt.Printf("%s %s applied=%v fault=%q\n", r.Method, r.Path, r.Applied, r.Fault)
	}
	// Output:
	// 502
	// 200
	// 1 record stored
	// POST /data applied=false fault="status 502"
	// POST /data applied=true fault=""
}

// A connection reset after the platform stored the reading: the client sees an error,
// yet the data is there, which is why a client must not blindly resend a POST.
func ExampleServer_ResetNext() {
	srv, _ := tagotest.Start()
	defer srv.Close()
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Meter"})
	srv.ResetNext(1, "POST", "/data", true)

	status, _ := request("POST", srv.URL+"/data", "Device-Token", dev.Token, `{"variable":"kwh","value":12}`)
	fmt.Println("status:", status)
	fmt.Println(len(srv.Data(dev.ID)), "record stored")
	// Output:
	// status: 0
	// 1 record stored
}

// A LoRaWAN network-server bridge resolves the device token for a DevEUI with its
// network token and the customer's authorization key, then sends the uplink as the
// device. The token remembers the key for downlinks.
func ExampleServer_AddNetwork() {
	srv, _ := tagotest.Start()
	defer srv.Close()
	netw := srv.AddNetwork(tagotest.NetworkSpec{Name: "LoRaWAN Actility", MiddlewareEndpoint: "actility.middleware.tago.io"})
	auth := srv.AddAuthorization(tagotest.AuthorizationSpec{Name: "ThingPark"})
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Field tester", Network: netw.ID, SerieNumber: "0018B20000000BEE"})

	_, body := request("GET", srv.URL+"/integration/network/resolve/0018B20000000BEE/"+auth.Key, "Token", netw.Token, "")
	var env struct {
		Result string `json:"result"`
	}
	_ = json.Unmarshal([]byte(body), &env)
	fmt.Println("resolved the device's token:", env.Result == dev.Token)

	_, body = request("POST", srv.URL+"/data", "Device-Token", env.Result, `{"variable":"payload","value":"9e184856"}`)
	fmt.Println(body)

	tok, _ := srv.LookupDeviceToken(dev.Token)
	fmt.Println("last authorization remembered:", tok.LastAuthorization == auth.Key)

	status, body := request("GET", srv.URL+"/integration/network/resolve/FFFFFFFFFFFFFFFF/"+auth.Key, "Token", netw.Token, "")
	fmt.Println(status, body)
	// Output:
	// resolved the device's token: true
	// {"status":true,"result":"1 Data Added"}
	// last authorization remembered: true
	// 404 {"status":false,"message":"Device not found"}
}

// An action runs an analysis when a reading passes a threshold; the test reads the
// run, with the reading as its scope, from AnalysisRuns.
func ExampleServer_AnalysisRuns() {
	srv, err := tagotest.Start()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Freezer"})
	alarm := srv.AddAnalysis(tagotest.AnalysisSpec{Name: "Alarm"})

	status, _ := request("POST", srv.URL+"/action", "Account-Token", srv.AccountToken(), `{
		"name": "Too warm", "type": "condition",
		"trigger": [{"device": "`+dev.ID+`", "variable": "temperature", "is": ">", "value": "-10", "value_type": "number"}],
		"action": {"type": "script", "script": ["`+alarm.ID+`"]}}`)
	fmt.Println("action created:", status)

	request("POST", srv.URL+"/data", "Device-Token", dev.Token, `{"variable":"temperature","value":-18}`)
	request("POST", srv.URL+"/data", "Device-Token", dev.Token, `{"variable":"temperature","value":-4}`)

	for _, run := range srv.AnalysisRuns() {
		var scope []struct {
			Variable string  `json:"variable"`
			Value    float64 `json:"value"`
		}
		_ = json.Unmarshal(run.Scope, &scope)
		fmt.Println(run.Analysis == alarm.ID, run.Origin[:7], scope[0].Variable, scope[0].Value)
	}
	// Output:
	// action created: 200
	// true action: temperature -4
}
