import { EventSource } from "eventsource";
const n = Number(process.env.N || 300000);
const base = process.env.URL || "http://127.0.0.1:18765";
const decode = process.argv[2] === "decode";
let got = 0, start = 0n, c0;
const es = new EventSource(base + "/events?channels=device_data.65a1b2c3d4e5f60718290000&token=x");
es.onmessage = (ev) => {
  if (got === 0) { start = process.hrtime.bigint(); c0 = process.cpuUsage(); }
  if (decode) { const p = JSON.parse(ev.data).payload; if (!p) throw new Error("no payload"); }
  if (++got === n) {
    const el = Number(process.hrtime.bigint() - start) / 1e9;
    const c = process.cpuUsage(c0);
    console.log(`node decode=${decode} events/s=${((n - 1) / el).toFixed(0)} cpu_us/event=${((c.user + c.system) / (n - 1)).toFixed(2)}`);
    es.close(); process.exit(0);
  }
};
es.onerror = (e) => { console.error("error", e.message); };
