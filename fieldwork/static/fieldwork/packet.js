/* Packet page: follow the making of the packet, and upload the check-in with a progress bar. */
(function () {
  "use strict";

  const status = document.getElementById("packet-status");
  if (status && status.dataset.status === "building") {
    const bar = document.getElementById("build-bar");
    const stage = document.getElementById("build-stage");
    const poll = function () {
      fetch(status.dataset.statusUrl, { credentials: "same-origin" })
        .then((r) => r.json())
        .then((s) => {
          if (bar) bar.value = s.progress;
          if (stage) stage.textContent = s.stage;
          if (s.status === "building") {
            window.setTimeout(poll, 1500);
          } else {
            window.location.reload();
          }
        })
        .catch(() => window.setTimeout(poll, 4000));
    };
    window.setTimeout(poll, 1000);
  }

  const form = document.getElementById("checkin-form");
  if (!form) return;
  const box = document.getElementById("checkin-progress");
  const bar = document.getElementById("checkin-bar");
  const pct = document.getElementById("checkin-pct");
  const message = document.getElementById("checkin-message");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const file = document.getElementById("checkin-file").files[0];
    if (!file) return;
    const data = new FormData();
    data.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.uploadUrl);
    xhr.setRequestHeader("X-CSRFToken", form.dataset.csrf);
    box.hidden = false;
    form.querySelector("button").disabled = true;
    message.textContent = "";
    message.className = "";
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        const p = Math.round((100 * e.loaded) / e.total);
        bar.value = p;
        pct.textContent = p + "%";
      }
    });
    xhr.upload.addEventListener("load", function () {
      message.textContent = "กำลังตรวจและรวมข้อมูล… / Checking and merging…";
    });
    xhr.addEventListener("load", function () {
      let answer = {};
      try {
        answer = JSON.parse(xhr.responseText);
      } catch (e) {
        answer = { message_th: "เซิร์ฟเวอร์ตอบผิดรูปแบบ", message_en: "Unexpected answer (" + xhr.status + ")" };
      }
      if (xhr.status === 201) {
        window.location.assign(answer.redirect);
        return;
      }
      message.className = "error";
      message.textContent = (answer.message_th || "") + " / " + (answer.message_en || "");
      form.querySelector("button").disabled = false;
    });
    xhr.addEventListener("error", function () {
      message.className = "error";
      message.textContent = "การเชื่อมต่อขาด ลองใหม่ได้ / The connection dropped; try again";
      form.querySelector("button").disabled = false;
    });
    xhr.send(data);
  });
})();
