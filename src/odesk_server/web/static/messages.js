// The messages page (/messages): the person's trays with their unread counts, a tray's threads, a
// thread's posts, read from the message center routes (mc v1) with the session cookie. Reading does
// not change the read flags: the page only shows.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const username = $("messages").dataset.username;
  const base = `/api/mc/v1`;
  const who = encodeURIComponent(username);
  const NAMES = { sent: "Sent", inbox: "Inbox", notifications: "Notifications", starred: "Starred", trash: "Trash" };

  async function getJson(path) {
    const response = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const message = (body && body.error && body.error.message) || `The server answered ${response.status}`;
      throw new Error(response.status === 401 ? `${message}. Reload the page to sign in again.` : message);
    }
    return body;
  }

  function showError(error) {
    $("messages-error").textContent = error.message;
    $("messages-error").hidden = false;
  }

  const when = (milliseconds) =>
    new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" }).format(new Date(Number(milliseconds)));

  async function showTrays(current) {
    const body = await getJson(`${base}/trays/${who}.json`);
    const list = $("trays");
    list.replaceChildren();
    for (const tray of body.trays) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `?tray=${encodeURIComponent(tray.type)}`;
      link.textContent = `${NAMES[tray.type] || tray.type} (${tray.unread} unread of ${tray.total})`;
      if (tray.type === current) link.setAttribute("aria-current", "page");
      link.addEventListener("click", (event) => {
        event.preventDefault();
        history.pushState(null, "", link.href);
        load().catch(showError);
      });
      item.append(link);
      list.append(item);
    }
  }

  async function showTray(type) {
    const body = await getJson(`${base}/trays/${who}/${encodeURIComponent(type)}.json`);
    const tray = body.current_tray;
    $("tray-title").textContent = NAMES[tray.type] || tray.type;
    const threads = tray.threads || [];
    $("tray-status").textContent = `${threads.length} of ${tray.total} threads, ${tray.unread} unread.`;
    const list = $("threads");
    list.replaceChildren();
    for (const thread of threads) {
      const item = document.createElement("li");
      if (thread.is_read === "0") item.className = "unread";
      const link = document.createElement("a");
      link.href = `?tray=${encodeURIComponent(type)}&thread=${encodeURIComponent(thread.id)}`;
      link.textContent = thread.subject;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        history.pushState(null, "", link.href);
        load().catch(showError);
      });
      const people = thread.participants.map((p) => `${p.first_name} ${p.last_name}`).join(", ");
      const facts = document.createElement("p");
      facts.className = "help";
      const unread = thread.is_read === "0" ? "unread · " : "";
      facts.textContent = `${unread}${people} · ${thread.post_count} posts · last ${when(thread.last_post_time)}`;
      const preview = document.createElement("p");
      preview.textContent = `${thread.last_post_sender}: ${thread.last_post_preview}`;
      item.append(link, facts, preview);
      list.append(item);
    }
    $("tray").hidden = false;
  }

  async function showThread(id) {
    const body = await getJson(`${base}/threads/${who}/${encodeURIComponent(id)}.json?page=0;100`);
    const thread = body.thread;
    $("thread-title").textContent = thread.subject;
    $("thread-people").textContent = thread.participants.map((p) => `${p.first_name} ${p.last_name}`).join(", ");
    const list = $("posts");
    list.replaceChildren();
    for (const post of thread.posts || []) {
      const item = document.createElement("li");
      const head = document.createElement("p");
      head.className = "help";
      head.textContent = `${post.sender_name}, ${when(post.created_time)}`;
      const text = document.createElement("p");
      text.className = "post-body";
      text.textContent = post.body;
      item.append(head, text);
      list.append(item);
    }
    $("thread").hidden = false;
    $("thread-title").focus();
  }

  async function load() {
    $("messages-error").hidden = true;
    const params = new URLSearchParams(window.location.search);
    const tray = params.get("tray") || "inbox";
    await showTrays(tray);
    await showTray(tray);
    $("thread").hidden = true;
    if (params.get("thread")) await showThread(params.get("thread"));
  }

  window.addEventListener("popstate", () => load().catch(showError));
  load().catch(showError);
})();
