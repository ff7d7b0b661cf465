// The work diary page (/workdiary): the contracts the person may read (HR engagements), then one day of
// one contract (team v2 work diary), each ten minutes as a card: screenshot, time, memo, task, activity.
// Every call goes to the API routes with the session cookie; the page's URL holds contract, day and zone.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $("diary-form");
  const contract = $("contract");
  const day = $("day");
  const zone = $("tz");
  const errorBox = $("diary-error");
  const list = $("snapshots");
  let me = null; // auth_user of the answers: the reader's own time zone

  async function getJson(path) {
    const response = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
    let body = null;
    try {
      body = await response.json();
    } catch (_error) {
      body = null;
    }
    if (!response.ok) {
      const message = (body && body.error && body.error.message) || `The server answered ${response.status}`;
      throw new Error(response.status === 401 ? `${message}. Reload the page to sign in again.` : message);
    }
    if (body && body.auth_user) me = body.auth_user;
    return body;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  async function loadContracts(wanted) {
    const body = await getJson("/api/hr/v2/engagements.json?status=active;closed&page=0;200");
    const contracts = (body.engagements.engagement || []).filter((e) => e.engagement_job_type === "hourly");
    contract.replaceChildren();
    for (const e of contracts) {
      const label = `${e.engagement_title}: ${e.provider__id}, ${e.buyer_team__name} (${e.reference}, ${e.status})`;
      contract.add(new Option(label, e.reference));
    }
    if (!contracts.length) contract.add(new Option("No hourly contract you may read", ""));
    if (wanted && contracts.some((e) => e.reference === wanted)) contract.value = wanted;
  }

  function timeOf(seconds, timeZone) {
    return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone }).format(
      new Date(Number(seconds) * 1000),
    );
  }

  function card(snapshot, timeZone) {
    const item = document.createElement("li");
    item.className = "snapshot";
    const start = timeOf(snapshot.cellts, timeZone);
    const end = timeOf(Number(snapshot.cellts) + 600, timeZone);
    const image = document.createElement("img");
    image.src = snapshot.screenshot_img_thmb;
    image.alt = `Screenshot at ${timeOf(snapshot.time, timeZone)}: ${snapshot.active_window_title || "no window title"}`;
    image.width = 160;
    image.height = 100;
    const heading = document.createElement("h3");
    heading.textContent = `${start}–${end}`;
    const facts = document.createElement("dl");
    const add = (name, value) => {
      const dt = document.createElement("dt");
      dt.textContent = name;
      const dd = document.createElement("dd");
      dd.textContent = value;
      facts.append(dt, dd);
    };
    add("Memo", snapshot.memo || "none");
    add("Task", snapshot.task || "none");
    const activity = document.createElement("meter");
    activity.min = 0;
    activity.max = 10;
    activity.value = Number(snapshot.activity);
    activity.textContent = `${snapshot.activity} of 10`;
    const activityDt = document.createElement("dt");
    activityDt.textContent = "Activity";
    const activityDd = document.createElement("dd");
    activityDd.append(activity, ` ${snapshot.activity} of 10 minutes`);
    facts.append(activityDt, activityDd);
    add("Keyboard, mouse", `${snapshot.keyboard_events_count}, ${snapshot.mouse_events_count} events`);
    add("Billing", snapshot.billing_status.startsWith("billed") ? "invoiced" : "not invoiced yet");
    item.append(heading, image, facts);
    return item;
  }

  async function show() {
    errorBox.hidden = true;
    if (!contract.value) {
      showError("Choose a contract: you may read no hourly contract.");
      return;
    }
    const date = day.value.replaceAll("-", "");
    const body = await getJson(
      `/api/team/v2/workdiaries/contracts/${encodeURIComponent(contract.value)}/${date}.json?tz=${zone.value}`,
    );
    const user = body.snapshots.user;
    const snapshots = body.snapshots.snapshot || [];
    const timeZone = zone.value === "gmt" ? "UTC" : zone.value === "user" ? user.timezone : me.timezone;
    $("diary-title").textContent = `${user.first_name} ${user.last_name} on ${day.value} (${timeZone})`;
    const hours = ((snapshots.length * 10) / 60).toFixed(2);
    $("diary-status").textContent = `${snapshots.length} snapshots: ${hours} hours tracked.`;
    list.replaceChildren(...snapshots.map((snapshot) => card(snapshot, timeZone)));
    $("diary").hidden = false;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams({ contract: contract.value, day: day.value, tz: zone.value });
    history.pushState(null, "", `?${params}`);
    show().catch((error) => showError(error.message));
  });

  async function load() {
    const params = new URLSearchParams(window.location.search);
    if (params.get("day")) day.value = params.get("day");
    if (["user", "mine", "gmt"].includes(params.get("tz"))) zone.value = params.get("tz");
    await loadContracts(params.get("contract"));
    if (params.get("contract")) await show();
  }

  window.addEventListener("popstate", () => load().catch((error) => showError(error.message)));
  load().catch((error) => showError(error.message));
})();
