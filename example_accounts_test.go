package tago_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
)

// startAccount starts a local fake of the platform with reproducible IDs and tokens,
// whose account logs in with the given e-mail and password.
func startAccount(email, password string) *tagotest.Server {
	srv, err := tagotest.Start(tagotest.WithSeed(7), tagotest.WithCredentials(email, password),
		tagotest.WithClock(func() time.Time { return time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC) }))
	if err != nil {
		log.Fatal(err)
	}
	return srv
}

// Log in with e-mail and password from a program that holds no token yet, pick a
// profile and create a profile token for it; the token is a tago.Secret, which prints
// masked. An account with two-factor authentication answers with an
// *tago.OTPRequiredError: ask for a code and log in again with it.
func ExampleAccountService_Login() {
	srv := startAccount("ops@example.com", "correct horse battery staple")
	defer srv.Close()
	ctx := context.Background()

	anon, err := tago.NewClient(tago.Anonymous(), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	login, err := anon.Account.Login(ctx, tago.LoginRequest{Email: "ops@example.com", Password: "correct horse battery staple"})
	var otp *tago.OTPRequiredError
	if errors.As(err, &otp) {
		log.Fatalf("a one-time code is needed (enabled: %v)", otp.Enabled)
	}
	if err != nil {
		log.Fatal(err)
	}
	profile := login.Profiles[0]
	fmt.Println("logged in as", login.Email, "with", len(login.Profiles), "profile:", profile.Name)

	tok, err := anon.Account.CreateToken(ctx, tago.AccountTokenRequest{ProfileID: profile.ID, Email: "ops@example.com",
		Password: "correct horse battery staple", Name: "reporting job", ExpireTime: tago.ExpiresIn("3 months")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("token:", tok.Token)

	client, err := tago.NewClient(tago.AccountToken(tok.Token.Reveal()), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	info, err := client.Profiles.Info(ctx, tago.CurrentProfile)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("the token opens", info.Info.Name)

	_, err = anon.Account.Login(ctx, tago.LoginRequest{Email: "ops@example.com", Password: "guess"})
	fmt.Println("wrong password:", errors.Is(err, tago.ErrUnauthorized))
	// Output:
	// logged in as ops@example.com with 1 profile: Default Profile
	// token: ****7033
	// the token opens Default Profile
	// wrong password: true
}

// Create an analysis, upload its script, run it with a scope of data records, and
// download the script back.
func ExampleAnalysesService_Run() {
	srv := startAccount(tagotest.DefaultEmail, tagotest.DefaultPassword)
	defer srv.Close()
	ctx := context.Background()
	client, err := tago.NewClient(tago.AccountToken(srv.AccountToken()), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	analysis, err := client.Analyses.Create(ctx, tago.AnalysisCreateRequest{Name: "Freezer alarm", Runtime: tago.RuntimeNode,
		Variables: []tago.AnalysisVariable{{Key: "LIMIT", Value: "-10"}}})
	if err != nil {
		log.Fatal(err)
	}
	script := []byte("export default async (context, scope) => context.log(scope);\n")
	err = client.Analyses.UploadScript(ctx, analysis.ID, tago.Script{Name: "alarm.js", Runtime: tago.RuntimeNode, Content: script})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.Analyses.Run(ctx, analysis.ID, tago.Data{Variable: "temperature", Value: -4, Unit: "°C"}); err != nil {
		log.Fatal(err)
	}
	run := srv.AnalysisRuns()[0] // what the fake platform was asked to run
	fmt.Printf("ran %v with scope %s\n", run.Analysis == analysis.ID, run.Scope)

	var back bytes.Buffer
	if _, err := client.Analyses.DownloadScript(ctx, analysis.ID, 0, &back); err != nil {
		log.Fatal(err)
	}
	fmt.Println("downloaded the same script:", bytes.Equal(back.Bytes(), script))
	// Output:
	// ran true with scope [{"variable":"temperature","value":-4,"unit":"°C"}]
	// downloaded the same script: true
}

// Create an action that runs an analysis whenever a freezer reports a temperature
// above -10 °C, and re-arms once it is back below -15 °C. Triggers and tasks are
// typed: a combination the platform cannot run (an unlock condition alone, triggers of
// two kinds, eleven analyses) fails with tago.ErrInvalidInput before any request.
func ExampleActionsService_Create() {
	srv := startAccount(tagotest.DefaultEmail, tagotest.DefaultPassword)
	defer srv.Close()
	ctx := context.Background()
	client, err := tago.NewClient(tago.AccountToken(srv.AccountToken()), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	freezer := srv.AddDevice(tagotest.DeviceSpec{Name: "Freezer"})
	alarm := srv.AddAnalysis(tagotest.AnalysisSpec{Name: "Freezer alarm"})

	id, err := client.Actions.Create(ctx, tago.ActionCreateRequest{
		Name: "Freezer too warm",
		Triggers: []tago.ActionTrigger{
			tago.VariableTrigger{Device: freezer.ID, Variable: "temperature", Is: tago.CondGreater, Value: "-10", ValueType: tago.CompareNumber},
			tago.VariableTrigger{Device: freezer.ID, Variable: "temperature", Is: tago.CondLess, Value: "-15", ValueType: tago.CompareNumber, Unlock: true},
		},
		Task: tago.RunAnalysis{Analyses: []string{alarm.ID}},
	})
	if err != nil {
		log.Fatal(err)
	}
	action, err := client.Actions.Info(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(action.Name, "is a", action.Type, "action with", len(action.Triggers), "triggers")

	device, err := tago.NewClient(tago.DeviceToken(freezer.Token), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	for _, celsius := range []float64{-18, -4, -3} {
		if _, err := device.Data.Send(ctx, tago.Data{Variable: "temperature", Value: celsius}); err != nil {
			log.Fatal(err)
		}
	}
	runs := srv.AnalysisRuns() // what the fake platform ran
	var scope []tago.Data
	if err := json.Unmarshal(runs[0].Scope, &scope); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d run, of the alarm: %v, for %s %v\n", len(runs), runs[0].Analysis == alarm.ID, scope[0].Variable, scope[0].Value)
	if action, err = client.Actions.Info(ctx, id); err != nil {
		log.Fatal(err)
	}
	fmt.Println("locked until back below -15 °C:", action.Lock) // so -3 did not run it again

	_, err = client.Actions.Create(ctx, tago.ActionCreateRequest{Name: "Only an unlock",
		Triggers: []tago.ActionTrigger{tago.VariableTrigger{Device: freezer.ID, Variable: "temperature", Is: tago.CondAny, Unlock: true}},
		Task:     tago.RunAnalysis{Analyses: []string{alarm.ID}}})
	fmt.Println(err)
	// Output:
	// Freezer too warm is a condition action with 2 triggers
	// 1 run, of the alarm: true, for temperature -4
	// locked until back below -15 °C: true
	// tago: invalid input: triggers: hold only unlock conditions; add the condition that runs the action
}
