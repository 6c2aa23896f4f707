// dxgl portal: progressive enhancement only. Every page works without it; with it: drag-and-drop
// upload with progress, hover-playing thumbnails, live render status, the live credit quote,
// copy buttons and confirmations. Plain ES2017, no build step, no third-party code.
"use strict";
(function () {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  // Copy buttons: <button data-copy="#input">.
  document.addEventListener("click", async (ev) => {
    const btn = ev.target.closest("[data-copy]");
    if (!btn) return;
    const input = document.querySelector(btn.dataset.copy);
    input.select();
    try { await navigator.clipboard.writeText(input.value); } catch (e) { document.execCommand("copy"); }
    btn.textContent = "Copied";
  });

  // Forms that ask first.
  document.addEventListener("submit", (ev) => {
    const msg = ev.target.dataset && ev.target.dataset.confirm;
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });

  // Library posters: the thumbnail video plays while hovered or focused.
  for (const v of document.querySelectorAll("video[data-hover-play]")) {
    const card = v.closest(".model") || v;
    const play = () => { v.play().catch(() => {}); };
    const stop = () => { v.pause(); };
    card.addEventListener("mouseenter", play); card.addEventListener("mouseleave", stop);
    card.addEventListener("focusin", play); card.addEventListener("focusout", stop);
  }

  // Upload: drop or choose files; XHR for the progress bar; the reader's refusal shown in words.
  const zone = document.getElementById("dropzone");
  if (zone) {
    const input = document.getElementById("upload-input");
    const bar = document.getElementById("upload-progress");
    const status = document.getElementById("upload-status");
    const send = (files) => {
      if (!files || !files.length) return;
      const body = new FormData();
      for (const f of files) body.append("file", f, f.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/upload");
      xhr.setRequestHeader("X-CSRFToken", csrf());
      xhr.setRequestHeader("Accept", "application/json");
      bar.hidden = false; bar.value = 0;
      status.textContent = "Uploading " + Array.from(files).map((f) => f.name).join(", ") + "…";
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = (100 * e.loaded) / e.total; };
      xhr.onload = () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* shown below */ }
        if (xhr.status === 201) {
          bar.value = 100;
          status.innerHTML = "";
          const a = document.createElement("a");
          a.href = body.data.modelUrl; a.id = "uploaded-link";
          a.textContent = body.data.duplicate ? "Already in your library: open it" : "Uploaded: open the model (its preview is on its way)";
          status.appendChild(a);
          if (body.data.previewRenderId) watchPreview(body.data.previewRenderId, status);
        } else {
          bar.hidden = true;
          status.className = "error";
          status.textContent = (body.error && body.error.message) || ("Upload failed (HTTP " + xhr.status + ")");
        }
      };
      xhr.onerror = () => { status.className = "error"; status.textContent = "The upload was interrupted; try again."; };
      xhr.send(body);
    };
    // The free preview shows up under the upload as soon as its worker has made it.
    const watchPreview = async (id, where) => {
      const r = await fetch("/app/v1/renders/" + id, { headers: { Accept: "application/json" } });
      const d = r.ok ? (await r.json()).data : null;
      if (d && d.status === "done") {
        const v = document.createElement("video");
        Object.assign(v, { id: "upload-preview", muted: true, loop: true, autoplay: true, playsInline: true,
          src: "/app/v1/renders/" + id + "/video", poster: "/app/v1/renders/" + id + "/poster" });
        v.setAttribute("aria-label", "Free preview");
        where.appendChild(v);
      } else if (d && (d.status === "error" || d.status === "failed")) {
        const p = document.createElement("p"); p.className = "error";
        p.textContent = "The preview failed: " + (d.errorMessage || "unknown reason");
        where.appendChild(p);
      } else {
        setTimeout(() => watchPreview(id, where), 1500);
      }
    };
    input.addEventListener("change", () => send(input.files));
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("over"); send(e.dataTransfer.files); });
    zone.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
  }

  // Model page: renders still in progress poll their status; done ones get their player and downloads.
  const live = Array.from(document.querySelectorAll("[data-live]"));
  if (live.length) {
    const poll = async () => {
      for (const li of live.slice()) {
        const id = li.dataset.renderId;
        const r = await fetch("/app/v1/renders/" + id, { headers: { Accept: "application/json" } });
        if (!r.ok) continue;
        const d = (await r.json()).data;
        li.dataset.status = d.status;
        li.querySelector('[data-field="status"]').textContent = d.status;
        li.querySelector('[data-field="progress"]').value = d.progress || 0;
        if (d.status === "done") {
          li.querySelector('[data-field="progress"]').hidden = true;
          li.querySelector('[data-field="downloads"]').hidden = false;
          li.querySelector(".player").innerHTML = '<video controls preload="metadata" poster="/app/v1/renders/' + id +
            '/poster" src="/app/v1/renders/' + id + '/video?quality=web"></video>';
        }
        if (d.status === "error" || d.status === "failed") {
          li.querySelector('[data-field="progress"]').hidden = true;
          const p = document.createElement("p"); p.className = "error"; p.textContent = d.errorMessage || "failed";
          li.querySelector('[data-field="status"]').after(p);
        }
        if (!["pending", "poster-processing", "poster-done", "video-processing"].includes(d.status)) live.splice(live.indexOf(li), 1);
      }
      if (live.length) setTimeout(poll, 1500);
    };
    setTimeout(poll, 1000);
  }

  // New-render form: effect-specific fields only for their effect, more sets, the live quote.
  const form = document.getElementById("render-form");
  if (form) {
    const quote = document.getElementById("quote");
    const showFields = (set) => {
      const eff = set.querySelector('[name$=".effect"]').value;
      const out = set.querySelector('[name$=".output"]').value;
      const path = out === "dataset" ? "dataset" : eff;
      for (const f of set.querySelectorAll(".field[data-effects]")) {
        const effects = f.dataset.effects.split(" ").filter(Boolean);
        f.hidden = effects.length > 0 && !effects.includes(path);
      }
    };
    const post = async (action) => {
      const body = new FormData(form);
      body.set("action", action);
      const r = await fetch(location.pathname + location.search, { method: "POST", body,  // not form.action: the "action" buttons shadow it
        headers: { Accept: "application/json", "X-CSRFToken": csrf() } });
      return [r, await r.json()];
    };
    let timer = null;
    const requote = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const [r, body] = await post("quote");
        if (r.ok) {
          const q = body.data;
          quote.className = q.sufficient ? "" : "error";
          quote.textContent = "This costs " + q.creditsRequired + " credit" + (q.creditsRequired === 1 ? "" : "s") +
            "; you have " + q.creditsAvailable + "." + (q.sufficient ? "" : " Not enough credits.");
        } else {
          quote.className = "error";
          quote.textContent = body.error ? body.error.message : "cannot quote";
        }
      }, 250);
    };
    const sets = document.getElementById("sets");
    for (const s of sets.querySelectorAll(".set")) showFields(s);
    form.addEventListener("change", (e) => { const s = e.target.closest(".set"); if (s) showFields(s); requote(); });
    form.addEventListener("input", requote);
    document.getElementById("add-set").addEventListener("click", () => {
      const all = sets.querySelectorAll(".set");
      const last = all[all.length - 1];
      const copy = last.cloneNode(true);
      const n = all.length;
      copy.dataset.set = n;
      copy.querySelector("legend").textContent = "Settings " + (n + 1);
      for (const el of copy.querySelectorAll("[name]")) el.name = el.name.replace(/^s\d+\./, "s" + n + ".");
      // cloneNode copies attributes, not what was chosen in the original's selects.
      const originals = last.querySelectorAll("select");
      copy.querySelectorAll("select").forEach((sel, i) => { sel.value = originals[i].value; });
      sets.appendChild(copy);
      requote();
    });
    form.addEventListener("submit", async (e) => {
      const action = e.submitter ? e.submitter.value : "order";
      e.preventDefault();
      const [r, body] = await post(action);
      if (action === "order" && r.ok) { location.href = body.next; return; }
      if (!r.ok) { quote.className = "error"; quote.textContent = body.error.message; return; }
      requote();
    });
    requote();
  }
})();
