/* Chunked, resumable upload of orthomosaics with progress bars.
 *
 * The server keeps the offset; on any network error the uploader waits, asks the server how many
 * bytes it has, and continues from there. The session id is remembered in localStorage (keyed by
 * the file's name, size and date) so that choosing the same file after a reload resumes it too.
 */
(function () {
  "use strict";

  const form = document.getElementById("ortho-upload");
  if (!form) return;
  const startUrl = form.dataset.startUrl;
  const chunkSize = parseInt(form.dataset.chunkSize, 10) || 8 * 1024 * 1024;
  const csrf = form.dataset.csrf;
  const box = document.getElementById("ortho-progress");
  const uploadBar = document.getElementById("upload-bar");
  const uploadPct = document.getElementById("upload-pct");
  const processBar = document.getElementById("process-bar");
  const processPct = document.getElementById("process-pct");
  const message = document.getElementById("upload-message");
  const pauseButton = document.getElementById("ortho-upload-pause");
  let paused = false;

  function say(text) { message.textContent = text; }
  function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
  function setUpload(done, total) {
    const pct = total ? Math.floor((done * 100) / total) : 0;
    uploadBar.value = pct;
    uploadPct.textContent = pct + "%";
  }
  function setProcess(pct) { processBar.value = pct; processPct.textContent = pct + "%"; }
  function errorText(body) {
    if (body && (body.message_th || body.message_en)) return body.message_th + " / " + body.message_en;
    return "เกิดข้อผิดพลาด / An error occurred";
  }
  function fileKey(file) { return "ortho-upload:" + file.name + ":" + file.size + ":" + file.lastModified; }

  async function json(method, url, body) {
    const response = await fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return { status: response.status, body: data };
  }

  async function sha256Hex(blob) {
    if (!(window.crypto && window.crypto.subtle)) return "";
    const digest = await window.crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
    return Array.from(new Uint8Array(digest)).map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  // One chunk by XHR (fetch has no upload progress). Resolves {status, body}; rejects on network error.
  function putChunk(url, file, offset, end) {
    const blob = file.slice(offset, end);
    return sha256Hex(blob).then((digest) => new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", url);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("Content-Range", "bytes " + offset + "-" + (end - 1) + "/" + file.size);
      if (digest) xhr.setRequestHeader("X-Chunk-SHA256", digest);
      xhr.upload.onprogress = (event) => setUpload(offset + event.loaded, file.size);
      xhr.onload = () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        resolve({ status: xhr.status, body: body });
      };
      xhr.onerror = () => reject(new Error("network"));
      xhr.ontimeout = () => reject(new Error("timeout"));
      xhr.timeout = 10 * 60 * 1000;
      xhr.send(blob);
    }));
  }

  async function openSession(file, fields) {
    const key = fileKey(file);
    const known = window.localStorage.getItem(key);
    if (known) {
      const found = await json("GET", known);
      if (found.status === 200 && found.body.status === "open") return found.body;
      window.localStorage.removeItem(key);
    }
    const created = await json("POST", startUrl, fields);
    if (created.status !== 201) throw new Error(errorText(created.body));
    window.localStorage.setItem(key, created.body.url);
    return created.body;
  }

  async function sendAll(file, session) {
    let offset = session.offset;
    let wait = 1000;
    while (offset < file.size) {
      while (paused) await sleep(300);
      const end = Math.min(offset + chunkSize, file.size);
      let result = null;
      try {
        result = await putChunk(session.url, file, offset, end);
      } catch (e) {
        result = null;
      }
      if (result && result.status === 200) {
        offset = result.body.offset;
        wait = 1000;
        setUpload(offset, file.size);
        say("กำลังอัปโหลด / Uploading…");
        continue;
      }
      if (result && result.status >= 400 && result.status < 500 && result.status !== 409 &&
          !(result.body && result.body.code === "chunk_incomplete")) {
        throw new Error(errorText(result.body));
      }
      // Network trouble, a full disk on the server (507) or an offset disagreement: wait, ask the
      // server where to continue, and go on from there.
      if (result && result.status === 507) {
        say(errorText(result.body) + " — ลองใหม่อัตโนมัติ / retrying automatically…");
      } else {
        say("การเชื่อมต่อขัดข้อง กำลังลองใหม่… / Connection lost, retrying…");
      }
      await sleep(wait);
      wait = Math.min(wait * 2, 30000);
      try {
        const state = await json("GET", session.url);
        if (state.status === 200) offset = state.body.offset;
      } catch (e) { /* still offline: loop and wait again */ }
      setUpload(offset, file.size);
    }
  }

  async function finalize(file, session) {
    say("กำลังตรวจสอบไฟล์… / Checking the file…");
    for (;;) {
      let result = null;
      try { result = await json("POST", session.finalize_url); } catch (e) { result = null; }
      if (result && result.status === 201) {
        window.localStorage.removeItem(fileKey(file));
        return result.body;
      }
      if (result && result.status >= 400 && result.status < 500) {
        window.localStorage.removeItem(fileKey(file));
        throw new Error(errorText(result.body));
      }
      await sleep(3000);
    }
  }

  async function follow(statusUrl) {
    for (;;) {
      let result = null;
      try { result = await json("GET", statusUrl); } catch (e) { result = null; }
      if (result && result.status === 410) {
        // Refused while processing (e.g. no valid pixels): the record is gone, the reason is given.
        say(errorText(result.body));
        return;
      }
      if (result && result.status === 410) {
        // Refused while processing (e.g. no valid pixels): the record is gone, the reason is given.
        setProcess(100);
        say(errorText(result.body));
        return;
      }
      if (result && result.status === 200) {
        const job = result.body;
        setProcess(job.progress);
        if (job.status === "ready") {
          setProcess(100);
          say("พร้อมใช้งาน / Ready");
          const link = document.createElement("a");
          link.href = job.detail_url;
          link.textContent = " ดูภาพ / View";
          message.appendChild(link);
          return;
        }
        if (job.status === "failed") { say(errorText(job)); return; }
        if (job.status === "processing") say("กำลังประมวลผล / Processing…");
        else if (job.worker && !job.worker.alive) say(`รอคิวประมวลผล: ${job.worker.message_th} / Waiting: ${job.worker.message_en}`);
        else say("รอคิวประมวลผล / Waiting to be processed…");
      }
      await sleep(2000);
    }
  }

  pauseButton.addEventListener("click", () => {
    paused = !paused;
    pauseButton.textContent = paused ? "ทำต่อ / Resume" : "หยุดชั่วคราว / Pause";
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.elements.file.files[0];
    if (!file) return;
    const data = new FormData(form);
    const fields = {
      organisation: data.get("organisation"),
      kind: data.get("kind"),
      captured: data.get("captured"),
      title: data.get("title"),
      filename: file.name,
      size: file.size,
      survey: {
        surveyor: data.get("surveyor"), drone: data.get("drone"), camera: data.get("camera"),
        notes: data.get("notes"), flown_on: data.get("captured"),
      },
    };
    box.hidden = false;
    pauseButton.hidden = false;
    form.querySelector("button[type=submit]").disabled = true;
    setUpload(0, file.size);
    setProcess(0);
    try {
      const session = await openSession(file, fields);
      setUpload(session.offset, file.size);
      await sendAll(file, session);
      pauseButton.hidden = true;
      const job = await finalize(file, session);
      await follow(job.status_url);
    } catch (e) {
      say(e.message);
    } finally {
      form.querySelector("button[type=submit]").disabled = false;
      pauseButton.hidden = true;
    }
  });
})();
