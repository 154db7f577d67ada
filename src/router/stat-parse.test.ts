import { test } from "node:test";
import assert from "node:assert/strict";
import { parseServersState, parseServerStats, parseShowBackend, parseShowInfo, parseShowMap } from "./stat-parse.js";

// Answers captured from HAProxy 2.6.12.

test("show info: fields by name", () => {
  const info = parseShowInfo(
    "Name: HAProxy\nVersion: 2.6.12-1+deb12u4\nPid: 7760\nUptime_sec: 3\nnode: vm\ndescription: yadokari-config-abc\n\n",
  );
  assert.equal(info.Pid, "7760");
  assert.equal(info.description, "yadokari-config-abc");
  assert.equal(info.Uptime_sec, "3");
});

test("show backend: names without the header", () => {
  assert.deepEqual(parseShowBackend("# name\nyadokari_not_found\napp_a\n\n"), ["yadokari_not_found", "app_a"]);
});

test("show map: key → values, duplicates kept", () => {
  const m = parseShowMap("0x55c03f7fde30 a.test app_a\n0x55c03f8e41c0 b.test app_a\n0x7f93bc043a50 b.test app_b\n\n");
  assert.deepEqual(
    [...m.entries()],
    [
      ["a.test", ["app_a"]],
      ["b.test", ["app_a", "app_b"]],
    ],
  );
  assert.equal(parseShowMap("\n").size, 0);
});

const STATE =
  "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n" +
  "4 app_a 1 s1 127.0.0.1 2 8 0 10 0 1 0 2 0 0 0 0 - 19001 - 0 0 - - 0\n" +
  "4 app_a 2 s2 127.0.0.1 2 0 5 5 1 1 0 0 0 0 0 0 - 19002 - 0 0 - - 0\n\n";

test("show servers state: columns by header name", () => {
  assert.deepEqual(parseServersState(STATE), [
    { backend: "app_a", name: "s1", address: "127.0.0.1", port: 19001, weight: 0, adminState: 8 },
    { backend: "app_a", name: "s2", address: "127.0.0.1", port: 19002, weight: 5, adminState: 0 },
  ]);
  assert.deepEqual(parseServersState("1\n# be_id be_name srv_id srv_name\n\n"), []);
});

test("show stat: server rows only, numbers parsed, empty cells are 0", () => {
  const header =
    "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,\n";
  const row = (
    px: string,
    sv: string,
    qcur: number,
    scur: number,
    stot: number,
    status: string,
    w: number,
    h2: number,
    h5: number,
  ) =>
    `${px},${sv},${qcur},0,${scur},0,,${stot},0,0,,0,,0,0,0,0,${status},${w},1,0,,,4,,,1,4,1,,0,,2,0,,0,,,,0,${h2},0,0,${h5},0,\n`;
  const text =
    header +
    row("app_a", "s1", 1, 3, 40, "DRAIN", 0, 39, 1) +
    row("app_a", "BACKEND", 1, 3, 40, "UP", 10, 39, 1) +
    row("app_b", "s2", 0, 0, 0, "no check", 10, 0, 0) +
    "\n";
  assert.deepEqual(parseServerStats(text), [
    {
      backend: "app_a",
      server: "s1",
      scur: 3,
      qcur: 1,
      stot: 40,
      hrsp2xx: 39,
      hrsp5xx: 1,
      status: "DRAIN",
      weight: 0,
      responses: 40,
      econ: 0,
      eresp: 0,
      rtime: 0,
      ttime: 0,
    },
    {
      backend: "app_b",
      server: "s2",
      scur: 0,
      qcur: 0,
      stot: 0,
      hrsp2xx: 0,
      hrsp5xx: 0,
      status: "no check",
      weight: 10,
      responses: 0,
      econ: 0,
      eresp: 0,
      rtime: 0,
      ttime: 0,
    },
  ]);
  assert.deepEqual(parseServerStats(""), []);
});
