/*
 * The console's browser side: the Messages log, the terminals (xterm.js on the container's client
 * WebSocket, docs/PROTOCOL.md "Client WebSocket") and the preview. The server (ConsoleView) talks to
 * this file through events in the AJAX callback parameter "cms"; the WebSocket adds its own events.
 */
(function (window, document, $) {
  'use strict';

  var CMS = (window.CMS = window.CMS || {});
  var MAX_MESSAGES = 500;

  // ---------------------------------------------------------------- messages

  var lastLog = { key: null, at: 0 };

  function pad(n, w) {
    var s = String(n);
    while (s.length < (w || 2)) {
      s = '0' + s;
    }
    return s;
  }

  function clock(d) {
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3);
  }

  /** Adds a timestamped line to Messages, newest on top. severity: info, success, warn, error. */
  CMS.log = function (severity, text) {
    var list = document.getElementById('cms-messages');
    if (!list) {
      return;
    }
    var key = severity + '|' + text;
    var now = Date.now();
    if (lastLog.key === key && now - lastLog.at < 1500) {
      return; // the same line from the view and the socket
    }
    lastLog = { key: key, at: now };
    $(list).children('.cms-messages-empty').remove();
    var li = document.createElement('li');
    li.className = 'cms-msg cms-msg-' + severity;
    var time = document.createElement('time');
    var d = new Date(now);
    time.dateTime = d.toISOString();
    time.textContent = clock(d);
    var sev = document.createElement('span');
    sev.className = 'cms-msg-sev';
    sev.textContent = { info: 'INFO', success: 'OK', warn: 'WARN', error: 'ERROR' }[severity] || severity.toUpperCase();
    var body = document.createElement('span');
    body.className = 'cms-msg-text';
    body.textContent = text;
    li.appendChild(time);
    li.appendChild(sev);
    li.appendChild(body);
    list.insertBefore(li, list.firstChild);
    while (list.children.length > MAX_MESSAGES) {
      list.removeChild(list.lastChild);
    }
    list.parentNode.scrollTop = 0;
  };

  function clearMessages() {
    var list = document.getElementById('cms-messages');
    $(list).empty().append('<li class="cms-messages-empty">Cleared. New messages show up here.</li>');
  }

  // ---------------------------------------------------------------- events from JSF

  /** Plays the events a JSF AJAX answer carries (callback parameter "cms"). */
  CMS.ajax = function (xhr, status, args) {
    if (!args || !args.cms) {
      return;
    }
    var events = typeof args.cms === 'string' ? JSON.parse(args.cms) : args.cms;
    events.forEach(play);
  };

  function play(e) {
    switch (e.kind) {
      case 'log':
        CMS.log(e.severity, e.text);
        break;
      case 'attach':
        attach(e.container, e.websocketUrl, e.token, e.terminals || [], e.active);
        break;
      case 'upload':
        upload.done(e.ok, e.text, e.rule);
        break;
      case 'detach':
        detach(e.container, e.status);
        break;
      case 'run':
        run(e);
        break;
      case 'waiting':
        preview.waiting(e.port);
        break;
      case 'port':
        preview.open(e.port, e.url, e.pathUrl, e.path);
        break;
      default:
        break;
    }
  }

  CMS.uploadStarted = function () {
    CMS.log('info', 'Uploading…');
    upload.start();
  };

  // ---------------------------------------------------------------- live events (o:socket)

  var pushedContainers = null;
  var pushTimer = null;
  var socketLost = false;

  function viewKey() {
    var boot = document.getElementById('cms-boot');
    return boot ? boot.getAttribute('data-view') : null;
  }

  /**
   * A gateway event pushed by the console (LiveEvents) on the user's channel: an upload's progress
   * for this page, or a container/process/port change, after which the view re-renders the list,
   * the badges and the attached container's processes and ports (one request per burst).
   */
  CMS.pushed = function (message) {
    var e = typeof message === 'string' ? JSON.parse(message) : message;
    if (!e || !e.event) {
      return;
    }
    if (e.event === 'upload') {
      if (e.view === viewKey()) {
        upload.progress(e.bytes, e.total);
      }
      return;
    }
    pushedContainers = pushedContainers || {};
    pushedContainers[e.container || ''] = true;
    if (!pushTimer) {
      pushTimer = window.setTimeout(flushPushed, 30);
    }
  };

  function flushPushed() {
    pushTimer = null;
    var keys = Object.keys(pushedContainers || {});
    pushedContainers = null;
    if (typeof window.cmsPushed !== 'function') {
      return;
    }
    // one container: the view refreshes its panels only if it is the attached one
    window.cmsPushed(keys.length === 1 ? [{ name: 'container', value: keys[0] }] : []);
  }

  CMS.socketOpen = function () {
    if (socketLost) {
      socketLost = false;
      CMS.log('success', 'Live updates are back');
      // what changed meanwhile: once, not a poll
      if (typeof window.cmsPushed === 'function') {
        window.cmsPushed([]);
      }
    }
  };

  CMS.socketClosed = function (code) {
    if (!socketLost && code !== 1000) {
      socketLost = true;
      CMS.log('warn', 'Live updates interrupted (' + code + '); reconnecting…');
    }
  };

  // the terminals' keystrokes go to the gateway's WebSocket, which the console session never sees:
  // while the user types, tell it now and then that they are there (never while the page is idle)
  var ACTIVE_EVERY_MS = 5 * 60 * 1000;
  var activeToldAt = Date.now();
  $(document).on('keydown', function () {
    var now = Date.now();
    if (now - activeToldAt >= ACTIVE_EVERY_MS && typeof window.cmsActive === 'function') {
      activeToldAt = now;
      window.cmsActive();
    }
  });

  // ---------------------------------------------------------------- upload progress

  /**
   * One bar for the whole way: the browser's bytes to the console (the upload request's own
   * progress), then the console's to the gateway and the agent (pushed), then the result or the
   * refusal's rule.
   */
  var upload = (function () {
    function el() {
      return $('#cms-upload-progress');
    }
    function set(state, percent, text) {
      var p = el();
      p.removeAttr('hidden').attr('data-state', state);
      p.find('.cms-upload-fill').css('width', Math.max(0, Math.min(100, percent)) + '%');
      p.find('.cms-upload-label').text(text);
      p.attr('data-percent', Math.round(percent));
    }
    function mib(n) {
      return n < 1024 * 1024 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB';
    }
    var finished = true;
    return {
      start: function () {
        finished = false;
        set('browser', 0, 'To the console: 0 %');
      },
      browser: function (loaded, total) {
        if (!total || finished) {
          return;
        }
        var pc = (100 * loaded) / total;
        // the first half of the bar: browser → console
        set('browser', pc / 2, 'To the console: ' + Math.round(pc) + ' % of ' + mib(total));
      },
      progress: function (bytes, total) {
        if (finished) {
          return; // the answer came first
        }
        var pc = total > 0 ? (100 * bytes) / total : 100;
        set(
          'container',
          50 + pc / 2,
          bytes >= total ? 'In the container: ' + mib(total) + ', finishing…' : 'Into the container: ' + Math.round(pc) + ' % of ' + mib(total)
        );
      },
      done: function (ok, text, rule) {
        finished = true;
        set(ok ? 'done' : 'refused', 100, ok ? text : rule ? 'Refused (' + rule + '): ' + text : text);
      }
    };
  })();

  CMS.upload = upload;

  // the native uploader's request: its upload progress is the first half of the bar
  var xhrSend = window.XMLHttpRequest.prototype.send;
  window.XMLHttpRequest.prototype.send = function (body) {
    if (window.FormData && body instanceof window.FormData && this.upload) {
      var hasFile = false;
      body.forEach(function (v) {
        if (window.File && v instanceof window.File) {
          hasFile = true;
        }
      });
      if (hasFile) {
        this.upload.addEventListener('progress', function (ev) {
          upload.browser(ev.loaded, ev.lengthComputable ? ev.total : 0);
        });
      }
    }
    return xhrSend.apply(this, arguments);
  };

  // ---------------------------------------------------------------- terminals

  var session = null; // the attached container: one WebSocket, several terminals
  var encoder = new TextEncoder();

  function Session(container, url, token) {
    this.container = container;
    this.url = url;
    this.token = token;
    this.tabs = {};
    this.order = [];
    this.active = null;
    this.ws = null;
    this.closed = false;
    this.retries = 0;
    this.everOpen = false;
    this.agentConnected = null;
  }

  Session.prototype.connect = function () {
    var self = this;
    var sep = this.url.indexOf('?') < 0 ? '?' : '&';
    // terminal= (empty) attaches nothing: every tab sends its own open with its offset
    var ws = new WebSocket(this.url + sep + 'token=' + encodeURIComponent(this.token) + '&terminal=');
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    connState('connecting', 'connecting…');
    ws.onopen = function () {
      if (self.retries > 0) {
        CMS.log('success', 'Reconnected to ' + self.container + '; terminals resume where they stopped');
      }
      self.retries = 0;
      self.everOpen = true;
      connState('on', 'connected');
      self.order.forEach(function (id) {
        var tab = self.tabs[id];
        tab.attached = false;
        if (!tab.exited || tab.reopen) {
          self.open(tab);
        }
      });
    };
    ws.onmessage = function (m) {
      if (typeof m.data === 'string') {
        self.onJson(JSON.parse(m.data));
      } else {
        self.onOutput(m.data);
      }
    };
    ws.onclose = function (ev) {
      if (self.closed || self.ws !== ws) {
        return;
      }
      if (ev.code === 1008) {
        connState('off', 'refused');
        CMS.log('error', 'The gateway refused the terminal connection to ' + self.container + ' (token)');
        return;
      }
      self.retries++;
      var delay = Math.min(5000, 250 * Math.pow(2, Math.min(self.retries, 5)));
      if (self.retries === 1) {
        CMS.log('warn', 'Terminal connection to ' + self.container + ' lost (' + ev.code + '); reconnecting…');
      }
      connState('connecting', 'reconnecting…');
      self.timer = window.setTimeout(function () {
        if (!self.closed) {
          self.connect();
        }
      }, delay);
    };
  };

  Session.prototype.send = function (msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(msg));
      return true;
    }
    return false;
  };

  // A client frame is at most 64 KiB (UTF-8) and a larger one closes the socket (1009): a big paste
  // goes as several input messages of at most 8192 UTF-16 units (each at most 6 bytes once escaped),
  // never splitting a surrogate pair.
  var INPUT_CHUNK = 8192;

  Session.prototype.input = function (terminal, data) {
    for (var from = 0; from < data.length; ) {
      var to = Math.min(data.length, from + INPUT_CHUNK);
      var last = data.charCodeAt(to - 1);
      if (to < data.length && last >= 0xd800 && last <= 0xdbff) {
        to--;
      }
      this.send({ type: 'input', terminal: terminal, data: data.substring(from, to) });
      from = to;
    }
  };

  Session.prototype.open = function (tab) {
    // from the start of its log the first time (a reload shows the earlier output), then resumed
    var msg = { type: 'open', terminal: tab.id, offset: tab.received ? tab.offset : 0 };
    if (tab.term.cols > 0 && tab.term.rows > 0) {
      msg.cols = tab.term.cols;
      msg.rows = tab.term.rows;
    }
    tab.reopen = false;
    this.send(msg);
  };

  Session.prototype.onJson = function (m) {
    var tab = m.terminal ? this.tabs[m.terminal] : null;
    switch (m.type) {
      case 'status':
        if (this.agentConnected !== null && this.agentConnected !== m.agentConnected) {
          CMS.log(m.agentConnected ? 'success' : 'warn', m.container + ': agent ' + (m.agentConnected ? 'connected' : 'disconnected'));
        }
        this.agentConnected = m.agentConnected;
        connState(m.agentConnected ? 'on' : 'connecting', m.agentConnected ? 'connected' : m.status.toLowerCase() + ', agent away');
        break;
      case 'attached':
        if (tab) {
          tab.exited = !m.running;
          tab.attached = true;
          if (m.truncated) {
            tab.term.write('\r\n\x1b[33m[earlier output dropped from the log]\x1b[0m\r\n');
          }
          if (!tab.received) {
            // from here on a reconnect asks for exactly what follows
            tab.offset = m.offset;
            tab.received = true;
          }
          this.send({ type: 'resize', terminal: tab.id, cols: tab.term.cols, rows: tab.term.rows });
          while (tab.queued.length) {
            this.input(tab.id, tab.queued.shift());
          }
        }
        break;
      case 'exit':
        if (tab) {
          tab.exited = true;
          tab.term.write('\r\n\x1b[2m[process exited with code ' + m.code + ']\x1b[0m\r\n');
          markTab(tab);
        }
        CMS.log(m.code === 0 ? 'info' : 'warn', 'Terminal ' + m.terminal + ' exited with code ' + m.code);
        break;
      case 'process':
        if (m.status === 'RUNNING') {
          break; // the start is already in Messages
        }
        CMS.log(
          m.exitCode === 0 || m.exitCode === undefined || m.exitCode === null ? 'info' : 'error',
          'Process ' + m.process + ' ' + String(m.status).toLowerCase() + (m.exitCode === undefined || m.exitCode === null ? '' : ' with exit code ' + m.exitCode)
        );
        break;
      case 'port':
        if (!m.open) {
          CMS.log('warn', 'Port ' + m.port + ' closed');
          preview.closed(m.port);
        } else if (!preview.open(m.port, m.url, m.pathUrl, null, true)) {
          CMS.log('info', 'Port ' + m.port + ' opened' + (m.url ? ': ' + m.url : ''));
        }
        break;
      case 'error':
        CMS.log('error', 'Terminal' + (m.terminal ? ' ' + m.terminal : '') + ': ' + m.message + ' (' + m.code + ')');
        break;
      default:
        break;
    }
  };

  Session.prototype.onOutput = function (buf) {
    var view = new DataView(buf);
    if (view.getUint8(0) !== 1) {
      return;
    }
    var idLen = view.getUint8(1);
    var id = '';
    for (var i = 0; i < idLen; i++) {
      id += String.fromCharCode(view.getUint8(2 + i));
    }
    var offset = Number(view.getBigInt64(2 + idLen));
    var data = new Uint8Array(buf, 10 + idLen);
    var tab = this.tabs[id];
    if (!tab) {
      return;
    }
    var end = offset + data.length;
    if (tab.received && end <= tab.offset) {
      return; // already shown
    }
    if (tab.received && offset < tab.offset) {
      data = data.subarray(tab.offset - offset);
    }
    tab.offset = end;
    tab.received = true;
    tab.term.write(data);
  };

  Session.prototype.addTab = function (id, title, activate) {
    var self = this;
    if (this.tabs[id]) {
      if (activate) {
        this.activate(id);
      }
      return this.tabs[id];
    }
    var body = document.getElementById('cms-term-body');
    var el = document.createElement('div');
    el.className = 'cms-term';
    el.dataset.terminal = id;
    body.appendChild(el);
    $('#cms-term-empty').hide();
    var term = new window.Terminal({
      cursorBlink: true,
      fontFamily: '"JetBrains Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 13,
      scrollback: 5000,
      theme: { background: '#0f172a', foreground: '#e2e8f0', cursor: '#38bdf8', selectionBackground: '#334155' }
    });
    var fit = new window.FitAddon.FitAddon();
    term.loadAddon(fit);
    term.open(el);
    var tab = {
      id: id,
      title: title || id,
      el: el,
      term: term,
      fit: fit,
      offset: 0,
      received: false,
      exited: false,
      reopen: false,
      attached: false,
      queued: [] // input typed on the user's behalf before the terminal is attached
    };
    term.onData(function (d) {
      if (tab.exited) {
        // typing into an ended terminal starts it again (open re-creates an exited terminal)
        tab.exited = false;
        tab.reopen = true; // its new shell continues at the same offsets
        markTab(tab);
        self.open(tab);
        return;
      }
      self.input(id, d);
    });
    term.onResize(function (size) {
      // before 'attached' the open carries the size (and the gateway refuses a resize)
      if (tab.attached) {
        self.send({ type: 'resize', terminal: id, cols: size.cols, rows: size.rows });
      }
    });
    // Ctrl+C copies while text is selected (else it is ^C); Ctrl+Shift+C always copies; paste is native
    term.attachCustomKeyEventHandler(function (ev) {
      if (ev.type === 'keydown' && (ev.ctrlKey || ev.metaKey) && (ev.key === 'c' || ev.key === 'C') && term.hasSelection()) {
        if (navigator.clipboard) {
          navigator.clipboard.writeText(term.getSelection()).catch(function () {});
        }
        return false;
      }
      return true;
    });
    this.tabs[id] = tab;
    this.order.push(id);
    renderTabs(this);
    if (activate || !this.active) {
      this.activate(id);
    }
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.open(tab);
    }
    return tab;
  };

  Session.prototype.activate = function (id) {
    var self = this;
    this.active = id;
    this.order.forEach(function (t) {
      self.tabs[t].el.classList.toggle('cms-term-active', t === id);
    });
    renderTabs(this);
    fitActive();
    var tab = this.tabs[id];
    if (tab) {
      tab.term.focus();
    }
  };

  Session.prototype.closeTab = function (id) {
    var tab = this.tabs[id];
    if (!tab || id === 'main') {
      return;
    }
    this.send({ type: 'detach', terminal: id });
    tab.term.dispose();
    tab.el.remove();
    delete this.tabs[id];
    this.order = this.order.filter(function (t) {
      return t !== id;
    });
    if (this.active === id) {
      this.activate(this.order[this.order.length - 1]);
    } else {
      renderTabs(this);
    }
  };

  Session.prototype.dispose = function () {
    var self = this;
    this.closed = true;
    window.clearTimeout(this.timer);
    if (this.ws) {
      this.ws.close(1000);
    }
    this.order.forEach(function (id) {
      self.tabs[id].term.dispose();
      self.tabs[id].el.remove();
    });
    this.tabs = {};
    this.order = [];
  };

  function markTab(tab) {
    $('#cms-term-tabs [data-terminal="' + tab.id + '"]').toggleClass('cms-tab-exited', !!tab.exited);
  }

  function renderTabs(s) {
    var strip = $('#cms-term-tabs').empty();
    s.order.forEach(function (id) {
      var tab = s.tabs[id];
      var b = $('<button type="button" class="cms-tab" role="tab"/>')
        .attr('data-terminal', id)
        .attr('title', tab.title)
        .toggleClass('cms-tab-active', id === s.active)
        .toggleClass('cms-tab-exited', !!tab.exited);
      b.append($('<i/>').addClass(id === 'main' ? 'pi pi-angle-right' : 'pi pi-bolt'));
      b.append($('<span class="cms-tab-label"/>').text(id === 'main' ? 'shell' : tab.title));
      if (id !== 'main') {
        b.append($('<span class="cms-tab-close pi pi-times" title="Close this tab"/>'));
      }
      strip.append(b);
    });
  }

  function connState(kind, text) {
    $('#cms-conn').attr('class', 'cms-conn cms-conn-' + kind).text(text);
  }

  function fitActive() {
    if (!session || !session.active) {
      return;
    }
    var tab = session.tabs[session.active];
    if (!tab || tab.el.offsetWidth === 0 || tab.el.offsetHeight === 0) {
      return;
    }
    try {
      tab.fit.fit();
    } catch (ignored) {
      // not measurable yet (hidden pane)
    }
  }

  function emptyTerminal(title, text) {
    var empty = $('#cms-term-empty');
    empty.find('strong').text(title);
    empty.find('span').text(text);
    empty.show();
    $('#cms-term-tabs').html('<span class="cms-tabs-none">no terminals</span>');
  }

  function attach(container, url, token, terminals, active) {
    if (session && session.container === container && !session.closed) {
      return;
    }
    if (session) {
      session.dispose();
    }
    preview.reset();
    session = new Session(container, url, token);
    session.addTab('main', 'shell', !active || active === 'main');
    (terminals || []).forEach(function (t) {
      session.addTab(t.id, t.title || t.id, t.id === active);
    });
    session.connect();
    CMS.session = session;
    // the URL names the attached container: bookmarkable, and a reload attaches it again
    var want = '?c=' + encodeURIComponent(container);
    if (window.location.search !== want && window.history && window.history.pushState) {
      window.history.pushState({ container: container }, '', window.location.pathname + want);
    }
  }

  /** The user chose a terminal: the server remembers it for a reload or a second tab. */
  function terminalChosen(id) {
    if (typeof window.cmsTerminalSelected === 'function') {
      window.cmsTerminalSelected([{ name: 'terminal', value: id }]);
    }
  }

  function detach(container, status) {
    if (session) {
      session.dispose();
      session = null;
      CMS.session = null;
    }
    connState('off', 'offline');
    preview.reset();
    emptyTerminal(
      container + ' is ' + status,
      status === 'DELETED'
        ? 'It was removed. Create a new container to get a shell again.'
        : 'It no longer runs. Create a new container or pick a running one.'
    );
  }

  function run(e) {
    if (!session) {
      CMS.log('warn', 'Build & Run: attach a container first');
      return;
    }
    var tab = session.addTab(e.terminal, e.process ? e.command : 'run', true);
    terminalChosen(e.terminal);
    if (e.input) {
      if (tab.attached) {
        session.input(e.terminal, e.input);
      } else {
        tab.queued.push(e.input);
      }
    }
    return tab;
  }

  // ---------------------------------------------------------------- preview

  var preview = (function () {
    var state = { port: null, url: null, pathUrl: null, path: '/', frame: null };

    function body() {
      return document.getElementById('cms-preview-body');
    }

    function show(icon, title, text, spinning) {
      var s = $('#cms-preview-state');
      s.empty()
        .append($('<i/>').addClass('pi ' + icon + (spinning ? ' pi-spin' : '')))
        .append($('<strong/>').text(title))
        .append($('<span/>').text(text))
        .show();
      if (state.frame) {
        $(state.frame).hide();
      }
    }

    function frame() {
      if (!state.frame) {
        var f = document.createElement('iframe');
        f.id = 'cms-preview-frame';
        f.title = 'App preview';
        // no sandbox: the host-form preview URL is an origin of its own, apart from the console's
        body().appendChild(f);
        state.frame = f;
      }
      return state.frame;
    }

    function target() {
      var p = state.path || '/';
      return state.url.replace(/\/$/, '') + (p.charAt(0) === '/' ? p : '/' + p);
    }

    return {
      waiting: function (port) {
        if (state.port === port && state.url) {
          return; // the app already listens there (its port event came first)
        }
        state.port = port;
        state.url = null;
        show('pi-spinner', 'Waiting for port ' + port + '…', 'The preview loads by itself as soon as the app listens on port ' + port + '.', true);
        $('#cms-preview-body').attr('data-state', 'waiting');
      },
      open: function (port, url, pathUrl, path, fromSocket) {
        if (fromSocket && state.port !== null && state.port !== port) {
          return false; // another port of the app: logged, not shown
        }
        if (state.url === url && (path === null || path === undefined || path === state.path)) {
          return true;
        }
        state.port = port;
        state.url = url;
        state.pathUrl = pathUrl;
        if (path !== null && path !== undefined) {
          state.path = path;
        }
        var f = frame();
        f.src = target();
        $(f).show();
        $('#cms-preview-state').hide();
        $('#cms-preview-body').attr('data-state', 'loaded');
        $('.cms-preview-open').attr('title', 'Open ' + target() + ' in a new tab');
        CMS.log('success', 'Port ' + port + ' is open: showing ' + target());
        return true;
      },
      closed: function (port) {
        if (state.port === port && state.url) {
          state.url = null;
          show('pi-spinner', 'Waiting for port ' + port + '…', 'The app stopped listening; the preview comes back when it listens again.', true);
          $('#cms-preview-body').attr('data-state', 'waiting');
        }
      },
      reload: function () {
        if (state.frame && state.url) {
          state.frame.src = target();
        }
      },
      openTab: function () {
        if (state.url) {
          window.open(target(), '_blank', 'noopener');
        } else {
          CMS.log('warn', 'Nothing to open yet: the preview has no page');
        }
      },
      reset: function () {
        state.port = null;
        state.url = null;
        state.path = '/';
        if (state.frame) {
          state.frame.src = 'about:blank';
        }
        show('pi-globe', 'Nothing to preview yet', 'Start your app with Build & Run, or type a port above and press Go.', false);
        $('#cms-preview-body').attr('data-state', 'empty');
      }
    };
  })();

  CMS.preview = preview;

  // ---------------------------------------------------------------- wiring

  $(document).on('pfAjaxComplete', function (ev, xhr, settings, args) {
    CMS.ajax(xhr, null, args);
  });

  $(document).on('pfAjaxError', function (ev, xhr) {
    if (xhr && xhr.status !== 0) {
      CMS.log('error', 'The console server answered ' + xhr.status + ' ' + (xhr.statusText || ''));
    }
  });

  $(document).on('click', '.cms-preview-reload', function () {
    preview.reload();
  });
  $(document).on('click', '.cms-preview-open', function () {
    preview.openTab();
  });
  $(document).on('click', '.cms-messages-clear', clearMessages);
  $(document).on('click', '#cms-term-tabs .cms-tab', function (ev) {
    var id = this.getAttribute('data-terminal');
    if (!session) {
      return;
    }
    if ($(ev.target).hasClass('cms-tab-close')) {
      session.closeTab(id);
      terminalChosen(session.active || 'main');
    } else {
      session.activate(id);
      terminalChosen(id);
    }
  });
  // the Processes panel: open a process's terminal (its log from the start, live while it runs)
  $(document).on('click', '.cms-proc-term', function () {
    if (!session) {
      CMS.log('warn', 'Attach the container first');
      return;
    }
    var id = this.getAttribute('data-terminal');
    session.addTab(id, this.getAttribute('data-title') || id, true);
    terminalChosen(id);
  });
  // a browser back/forward to another ?c=: load that page
  $(window).on('popstate', function () {
    var m = /[?&]c=([^&]+)/.exec(window.location.search);
    var c = m ? decodeURIComponent(m[1]) : null;
    if (!session || session.container !== c) {
      window.location.reload();
    }
  });

  $(function () {
    // what the page load itself did (attach the ?c= container, restore its preview)
    var boot = document.getElementById('cms-boot');
    if (boot && boot.getAttribute('data-events')) {
      try {
        JSON.parse(boot.getAttribute('data-events')).forEach(play);
      } catch (e) {
        CMS.log('error', 'Cannot read the page events: ' + e);
      }
      boot.removeAttribute('data-events');
    }
    var body = document.getElementById('cms-term-body');
    if (body && window.ResizeObserver) {
      var pending = null;
      new ResizeObserver(function () {
        window.cancelAnimationFrame(pending);
        pending = window.requestAnimationFrame(fitActive);
      }).observe(body);
    }
    $(window).on('resize', fitActive);
  });
})(window, document, window.jQuery);
