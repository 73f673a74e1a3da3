// The public report form: checks the addresses, does the anti-spam proof of work, sends JSON, shows
// the reference and pick-up code; and the status check. Text never goes into the page as HTML.
(function () {
  'use strict';
  var T = JSON.parse(document.getElementById('hl-text').textContent);

  // SHA-256 of an ASCII string (the challenge and nonce are ASCII). Plain JS: crypto.subtle exists
  // only on secure origins, and a synchronous loop is faster than awaiting it per hash.
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ];
  var W = new Int32Array(64);
  function sha256First32(str) {
    var n = str.length;
    var blocks = ((n + 9 + 63) >> 6) << 4;
    var m = new Int32Array(blocks);
    for (var i = 0; i < n; i++) m[i >> 2] |= (str.charCodeAt(i) & 0xff) << (24 - (i % 4) * 8);
    m[n >> 2] |= 0x80 << (24 - (n % 4) * 8);
    m[blocks - 1] = n * 8;
    var h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a, h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
    for (var b = 0; b < blocks; b += 16) {
      for (var t = 0; t < 64; t++) {
        if (t < 16) W[t] = m[b + t];
        else {
          var x = W[t - 15], y = W[t - 2];
          var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
          var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
          W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
        }
      }
      var a = h0, bb = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
      for (t = 0; t < 64; t++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (h + S1 + ch + K[t] + W[t]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & bb) ^ (a & c) ^ (bb & c);
        var t2 = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + bb) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
    }
    return [h0, h1];
  }
  function zeroBits(words) {
    if (words[0] !== 0) return Math.clz32(words[0]);
    return 32 + Math.clz32(words[1]);
  }
  // Chunks of work between yields keep the page responsive on slow phones.
  function solve(challenge, bits) {
    return new Promise(function (resolve) {
      var i = 0;
      (function chunk() {
        for (var end = i + 4000; i < end; i++) {
          if (zeroBits(sha256First32(challenge + ':' + i)) >= bits) return resolve(String(i));
        }
        setTimeout(chunk, 0);
      })();
    });
  }

  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'omit' }).then(function (res) {
      return res.json().then(
        function (j) { return { status: res.status, body: j }; },
        function () { return { status: res.status, body: null }; }
      );
    });
  }
  function errorText(r) {
    var code = r.body && r.body.error && r.body.error.code;
    if (code === 'rate_limited') return T.errRate;
    if (code === 'not_found') return T.errNotFound;
    if (code === 'invalid_payload' || code === 'too_large') {
      var fields = (r.body.error.fields || []).map(function (f) { return f.path; });
      if (fields.some(function (p) { return p.indexOf('urls') === 0; })) return T.errInvalidUrl;
    }
    return T.errGeneric;
  }

  var form = document.getElementById('report-form');
  var urlsEl = document.getElementById('urls');
  var urlsErr = document.getElementById('urls-error');
  var formStatus = document.getElementById('form-status');
  var submit = document.getElementById('submit');

  function parseUrls() {
    return urlsEl.value.split(/\s+/).map(function (s) { return s.trim(); }).filter(Boolean);
  }
  function validUrl(s) {
    if (s.length > T.urlMaxChars || !/^https?:\/\//i.test(s)) return false;
    try { var u = new URL(s); return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname; } catch (e) { return false; }
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    formStatus.textContent = '';
    urlsErr.textContent = '';
    urlsEl.removeAttribute('aria-invalid');
    var urls = parseUrls();
    if (!urls.length || urls.length > T.maxUrls || !urls.every(validUrl)) {
      urlsErr.textContent = urls.length ? T.errInvalidUrl : T.errNoUrl;
      urlsEl.setAttribute('aria-invalid', 'true');
      urlsEl.focus();
      return;
    }
    var data = new FormData(form);
    var body = { urls: urls, source: data.get('source') === 'widget' ? 'widget' : 'form', language: String(data.get('language') || 'en') };
    ['contentType', 'whereFound', 'description', 'email', 'website'].forEach(function (k) {
      var v = String(data.get(k) || '').trim();
      if (v) body[k] = v;
    });
    submit.disabled = true;
    submit.textContent = T.working;
    fetch('/api/hotline/challenge', { credentials: 'omit' })
      .then(function (r) { return r.json(); })
      .then(function (ch) {
        return solve(ch.challenge, ch.bits).then(function (nonce) {
          body.pow = { challenge: ch.challenge, nonce: nonce };
          return post('/api/hotline/reports', body);
        });
      })
      .then(function (r) {
        if (r.status !== 200) throw r;
        form.hidden = true;
        document.getElementById('sent-reference').textContent = r.body.reference;
        document.getElementById('sent-code').textContent = r.body.pickupCode;
        var sent = document.getElementById('sent');
        sent.hidden = false;
        document.getElementById('sent-title').focus();
      })
      .catch(function (r) {
        formStatus.textContent = r && r.status ? errorText(r) : T.errGeneric;
      })
      .then(function () {
        submit.disabled = false;
        submit.textContent = T.submit;
      });
  });

  var statusForm = document.getElementById('status-form');
  var result = document.getElementById('status-result');
  statusForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    result.textContent = '';
    var reference = document.getElementById('check-reference').value.trim().toUpperCase();
    var pickupCode = document.getElementById('check-code').value.trim();
    post('/api/hotline/status', { reference: reference, pickupCode: pickupCode }).then(function (r) {
      if (r.status !== 200) {
        var p = document.createElement('p');
        p.className = 'error';
        p.textContent = r.body && r.body.error && r.body.error.code === 'invalid_payload' ? T.errNotFound : errorText(r);
        result.appendChild(p);
        return;
      }
      var s = document.createElement('p');
      s.id = 'status-text';
      s.textContent = r.body.reference + ': ' + (T.status[r.body.status] || r.body.status);
      result.appendChild(s);
      if (r.body.actions && r.body.actions.length) {
        var a = document.createElement('p');
        a.textContent = T.forwardedTo + ': ' + r.body.actions.map(function (k) { return T.actions[k] || k; }).join(', ');
        result.appendChild(a);
      }
    }, function () {
      result.textContent = T.errGeneric;
    });
  });
})();
