// Package analysis runs a Go program as a TagoIO analysis: the scripts the platform
// starts when data arrives, on a schedule, from an action or from a dashboard button.
//
// A program hands its handler to [Main] (or [Run]); the handler receives a [Trigger]:
// the analysis ID, its environment variables (a list and a map), the trigger's data as
// [tago.Data] records (and every scope item raw), a *tago.Client authorised with the
// analysis token for the platform's services, and a console logger:
//
//	func main() {
//		analysis.Main(tago.AnalysisToken(os.Getenv("ANALYSIS_TOKEN")), func(ctx context.Context, t *analysis.Trigger) error {
//			t.Log.Info("started", "records", len(t.Data))
//			return t.Client.Services.SendEmail(ctx, tago.EmailRequest{To: []string{t.Env["EMAIL"]}, Subject: "Hi", Message: "It ran"})
//		})
//	}
//
// # Modes
//
// The mode is chosen from the environment, as the official SDKs choose it:
//
//   - One-shot, when T_ANALYSIS_CONTEXT is set: the platform, or TagoCore, started the
//     program for one run and passed the trigger in T_ANALYSIS_ID, T_ANALYSIS_ENV,
//     T_ANALYSIS_DATA and T_ANALYSIS_TOKEN, with the API in TAGOIO_API. The handler runs
//     once; its console is standard output (errors on standard error), which is what
//     the platform's runtimes and TagoCore show as the analysis's console; [Main]
//     exits with status 1 when it failed. A compiled Go analysis therefore runs under
//     TagoCore as it is: set the analysis's binary to the program. TagoCore gives it no
//     token, so the client is anonymous there: the analysis services are the cloud's.
//   - External otherwise: the program is a long-running service for an analysis set to
//     run "external", holding the analysis's token. It checks the token with GET /info,
//     subscribes to the analysis_trigger channel over Server-Sent Events (reconnecting
//     by itself, see [tago.RealtimeService.Subscribe]) and runs the handler for each
//     trigger: at most [WithConcurrency] at once (8 by default; more wait in order),
//     each bounded by [WithRunTimeout] (1 minute by default). A handler's error, or a
//     panic with its stack, is written to the run's console and the next trigger
//     runs. It stops when its context ends (SIGINT or SIGTERM under Main), after the
//     runs in progress have returned and their consoles have been sent.
//
// # Console
//
// [Trigger].Log is an slog.Logger over [Console], an slog.Handler that sends lines to
// the analysis console service in batches from one goroutine: a log call appends to a
// buffer and returns without touching the network; under a burst no line is lost (a
// 10,000-line burst arrives whole and in order); only when 16 MiB of lines wait does a
// call wait for room, for at most 5 seconds, after which the line is dropped, counted
// and reported on the console. [NewConsole] makes one for any analysis-token client.
//
// # Routing
//
// A [Router] runs one of several handlers by what started the run: the data
// ([WhenVariable], [WhenVariableLike], [WhenValue], [WhenGroup], [WhenScopeField]), the
// environment ([WhenEnv]), an action ([WhenAction] for its event, [WhenActionType]) or
// a dashboard ([WhenWidget], [WhenForm], [WhenButton], [WhenDeviceListButton],
// [WhenUserListButton]).
package analysis
