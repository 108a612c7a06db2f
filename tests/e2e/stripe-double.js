/*
 * A test double of the part of Stripe.js the checkout page uses. TESTS ONLY: the browser tests
 * answer requests for https://js.stripe.com/** with this file (Playwright page/context.route);
 * the shipped page loads Stripe's real script.
 *
 *   Stripe(pk) → { elements(opts), confirmPayment({elements, clientSecret, confirmParams, redirect}),
 *                  retrievePaymentIntent(clientSecret) }
 *   elements(opts) → { create(type) → { mount, unmount, on, off, once, update, focus, blur, destroy },
 *                      update(opts), submit(), fetchUpdates(), getElement(type) }
 *   create('expressCheckout') → a fake wallet button (its own section at the end of this file)
 *
 * The "Payment Element" is a labelled <select name="double-payment-method"> with test payment
 * methods (pm_card_visa succeeds, pm_card_chargeCustomerFail is declined), so a test picks a card;
 * window.STRIPE_DOUBLE.methods adds more (stripe-outcomes.mjs: vouchers, processing).
 *
 * It is no more lenient than Stripe.js and its typings (@stripe/stripe-js 8): option names the
 * typings do not have throw an IntegrationError at once (OPTIONS below: Stripe.js would only warn
 * and ignore them), as do a non-integer amount and a key that is not pk_…; elements.update()
 * takes effect later, firing "update-end" (window.STRIPE_DOUBLE.updateDelayMs, default 50 ms),
 * and elements.submit() before that is refused, so a page must wait for it.
 *
 * confirmParams are checked as Stripe's API checks them (shipping: name and address required, only
 * Stripe's keys; receipt_email: an email address), so a page that maps its fields wrongly gets the
 * error Stripe would give. They are sent, form-encoded, with the confirmation (shipping[name]=…,
 * shipping[address][line1]=…), where the tests record them; harness.mjs forwards only
 * payment_method to localstripe, which knows neither shipping nor receipt_email on confirm.
 *
 * It talks to "Stripe's API" at window.STRIPE_DOUBLE.api the way Stripe.js does: CORS-simple
 * requests (form-encoded POST, GET) carrying the publishable key and the client secret, never a
 * secret key. The tests answer those requests over localstripe (see harness.mjs).
 */
(function () {
  'use strict';

  var cfg = window.STRIPE_DOUBLE || {};
  var API = String(cfg.api || 'https://api.stripe.com').replace(/\/+$/, '');
  // Tests add methods whose outcome the harness makes up (vouchers, processing): cfg.methods.
  var METHODS = [
    { id: 'pm_card_visa', label: 'Visa •••• 4242 (succeeds)' },
    { id: 'pm_card_chargeCustomerFail', label: 'Visa •••• 0341 (declined)' },
  ].concat(cfg.methods || []);
  var counter = 0;
  var trace = (window.__stripeDouble = window.__stripeDouble || { calls: [] });

  function note(name, detail) {
    trace.calls.push({ name: name, detail: detail, at: Date.now() });
  }

  function integrationError(message) {
    var e = new Error(message);
    e.name = 'IntegrationError';
    return e;
  }

  // --- What Stripe.js accepts -------------------------------------------------------------
  // The option names @stripe/stripe-js 8 (clover) types for each call the page makes. Stripe.js
  // itself only warns about an unknown name and goes on without it; the double throws, so a page
  // that would pass an option Stripe ignores (or that the typings refuse) fails its tests.
  var OPTIONS = {
    'Stripe()': ['stripeAccount', 'apiVersion', 'locale', 'betas', 'developerTools'],
    'elements()': ['setupFutureUsage', 'setup_future_usage', 'captureMethod', 'capture_method', 'onBehalfOf', 'on_behalf_of',
      'paymentMethodTypes', 'payment_method_types', 'excludedPaymentMethodTypes', 'allowedPaymentMethodTypes',
      'paymentMethodConfiguration', 'payment_method_configuration', 'paymentMethodOptions', 'payment_method_options',
      'clientSecret', 'externalPaymentMethodTypes', 'fonts', 'locale', 'appearance', 'loader', 'customerOptions',
      'customerSessionClientSecret', 'customPaymentMethods', 'syncAddressCheckbox', 'paymentMethodCreation', 'mode', 'amount', 'currency'],
    'elements.update()': ['locale', 'fonts', 'appearance', 'mode', 'currency', 'amount', 'setupFutureUsage', 'setup_future_usage',
      'captureMethod', 'capture_method', 'payment_method_types', 'paymentMethodTypes', 'excludedPaymentMethodTypes',
      'allowedPaymentMethodTypes', 'onBehalfOf', 'on_behalf_of', 'customerSessionClientSecret', 'customPaymentMethods'],
    'create("payment")': ['defaultValues', 'business', 'paymentMethodOrder', 'fields', 'readOnly', 'terms', 'wallets', 'layout', 'applePay'],
    'confirmPayment()': ['elements', 'clientSecret', 'confirmParams', 'redirect'],
    confirmParams: ['return_url', 'payment_method_data', 'confirmation_token', 'payment_method', 'expand', 'mandate_data',
      'receipt_email', 'save_payment_method', 'setup_future_usage', 'shipping'],
  };

  /** Throws Stripe.js's IntegrationError for an option name `where` does not take. */
  function checkOptionNames(where, options) {
    if (options == null) return;
    if (typeof options !== 'object') throw integrationError('Invalid value for ' + where + ': options should be an object. You specified: ' + typeof options + '.');
    Object.keys(options).forEach(function (name) {
      if (OPTIONS[where].indexOf(name) < 0) {
        throw integrationError('Unrecognized ' + where + ' parameter: ' + name + ' is not a recognized parameter.');
      }
    });
  }

  /** The shapes Stripe.js checks: an amount is a positive integer of minor units, a mode one of three. */
  function checkAmounts(where, options) {
    if (!options) return;
    if ('amount' in options && !(Number.isInteger(options.amount) && options.amount > 0)) {
      throw integrationError('Invalid value for ' + where + ': amount should be a positive integer. You specified: ' + options.amount + '.');
    }
    if ('currency' in options && !/^[a-z]{3}$/.test(String(options.currency))) {
      throw integrationError('Invalid value for ' + where + ': currency should be a lowercase three-letter ISO code. You specified: ' + options.currency + '.');
    }
    if ('mode' in options && ['payment', 'setup', 'subscription'].indexOf(options.mode) < 0) {
      throw integrationError('Invalid value for ' + where + ': mode should be one of payment, setup, subscription. You specified: ' + options.mode + '.');
    }
  }

  // Stripe's form encoding: nested objects as a[b][c]=v.
  function encode(obj, prefix, out) {
    out = out || [];
    Object.keys(obj || {}).forEach(function (k) {
      var v = obj[k];
      var key = prefix ? prefix + '[' + k + ']' : k;
      if (v === undefined || v === null) return;
      if (typeof v === 'object') encode(v, key, out);
      else out.push(encodeURIComponent(key) + '=' + encodeURIComponent(String(v)));
    });
    return out.join('&');
  }

  function piId(clientSecret) {
    var m = /^(pi_[A-Za-z0-9]+)_secret_/.exec(String(clientSecret || ''));
    return m && m[1];
  }

  function apiCall(method, path, params) {
    var url = API + path;
    var init = { method: method, credentials: 'omit' };
    if (method === 'GET') url += '?' + encode(params);
    else {
      init.headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
      init.body = encode(params);
    }
    return fetch(url, init).then(
      function (res) {
        return res.json().then(
          function (body) {
            return { status: res.status, body: body };
          },
          function () {
            return { status: res.status, body: { error: { type: 'api_error', message: 'Invalid JSON from Stripe' } } };
          }
        );
      },
      function (err) {
        return {
          status: 0,
          body: { error: { type: 'api_connection_error', message: 'Could not reach Stripe: ' + err.message } },
        };
      }
    );
  }

  function normaliseError(error) {
    error = Object.assign({}, error || {});
    if (error.code === 'card_declined' || error.decline_code) error.type = 'card_error';
    if (!error.type) error.type = 'api_error';
    if (!error.message) error.message = 'Something went wrong.';
    if (error.type === 'card_error' && error.code === 'card_declined') error.message = 'Your card was declined.';
    return error;
  }

  var SHIPPING_KEYS = ['address', 'name', 'carrier', 'phone', 'tracking_number'];
  var ADDRESS_KEYS = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'];

  function paramError(code, param, message) {
    return { type: 'invalid_request_error', code: code, param: param, message: message };
  }

  // What Stripe's API answers (400) for confirmParams it would refuse; null when they are fine.
  function checkConfirmParams(p) {
    var unknown = function (obj, allowed, prefix) {
      var bad = Object.keys(obj).filter(function (k) { return allowed.indexOf(k) < 0; })[0];
      return bad ? paramError('parameter_unknown', prefix + '[' + bad + ']', 'Received unknown parameter: ' + prefix + '[' + bad + ']') : null;
    };
    if (p.receipt_email != null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(String(p.receipt_email))) {
      return paramError('email_invalid', 'receipt_email', 'Invalid email address: ' + p.receipt_email);
    }
    if (p.shipping == null) return null;
    var s = p.shipping;
    if (typeof s !== 'object') return paramError('parameter_invalid_empty', 'shipping', 'Invalid object');
    var e = unknown(s, SHIPPING_KEYS, 'shipping');
    if (e) return e;
    if (!s.name) return paramError('parameter_missing', 'shipping[name]', 'Missing required param: shipping[name].');
    if (!s.address || typeof s.address !== 'object') {
      return paramError('parameter_missing', 'shipping[address]', 'Missing required param: shipping[address].');
    }
    e = unknown(s.address, ADDRESS_KEYS, 'shipping[address]');
    if (e) return e;
    if (!s.address.line1) {
      return paramError('parameter_missing', 'shipping[address][line1]', 'Missing required param: shipping[address][line1].');
    }
    if (s.address.country != null && !/^[A-Za-z]{2}$/.test(String(s.address.country))) {
      return paramError('parameter_invalid_string', 'shipping[address][country]', 'Country ' + s.address.country + ' is unknown. Try using a 2-character alphanumeric country code instead, such as US, EG, or GB.');
    }
    return null;
  }

  function resolveTarget(target) {
    if (typeof target === 'string') {
      var el = document.querySelector(target);
      if (!el) throw integrationError('The selector you specified (' + target + ') applies to no DOM elements that are currently on the page.');
      return el;
    }
    if (target && target.nodeType === 1) return target;
    throw integrationError('Invalid DOM element or selector passed to mount().');
  }

  function createElement(group, type, options) {
    var handlers = {};
    var container = null;
    var select = null;
    var destroyed = false;

    function emit(event, payload) {
      (handlers[event] || []).slice().forEach(function (h) {
        try {
          h(payload);
        } catch (e) {
          setTimeout(function () {
            throw e;
          });
        }
      });
    }

    var element = {
      _type: type,
      _options: options || {},
      mount: function (target) {
        if (destroyed) throw integrationError('This Element has already been destroyed.');
        var host = resolveTarget(target);
        counter += 1;
        var id = 'double-payment-method-' + counter;
        container = document.createElement('div');
        container.className = 'StripeElement stripe-double';
        container.setAttribute('data-stripe-double', type);
        var label = document.createElement('label');
        label.setAttribute('for', id);
        label.textContent = 'Test card (Stripe double)';
        select = document.createElement('select');
        select.id = id;
        select.name = 'double-payment-method';
        METHODS.forEach(function (m, i) {
          var o = document.createElement('option');
          o.value = m.id;
          o.textContent = m.label;
          if (i === 0) o.selected = true;
          select.appendChild(o);
        });
        select.addEventListener('change', function () {
          emit('change', changeEvent());
        });
        select.addEventListener('focus', function () {
          emit('focus', { elementType: type });
        });
        select.addEventListener('blur', function () {
          emit('blur', { elementType: type });
        });
        container.appendChild(label);
        container.appendChild(select);
        host.innerHTML = '';
        host.appendChild(container);
        note('mount', { type: type });
        setTimeout(function () {
          emit('ready', { elementType: type });
          emit('change', changeEvent());
        }, 0);
      },
      unmount: function () {
        if (container && container.parentNode) container.parentNode.removeChild(container);
        container = null;
        select = null;
      },
      destroy: function () {
        element.unmount();
        destroyed = true;
        delete group._elements[type];
      },
      on: function (event, handler) {
        (handlers[event] = handlers[event] || []).push(handler);
        return element;
      },
      once: function (event, handler) {
        var wrapped = function (p) {
          element.off(event, wrapped);
          handler(p);
        };
        return element.on(event, wrapped);
      },
      off: function (event, handler) {
        if (!handler) delete handlers[event];
        else handlers[event] = (handlers[event] || []).filter(function (h) { return h !== handler; });
        return element;
      },
      update: function (opts) {
        checkOptionNames('create("payment")', opts);
        Object.assign(element._options, opts || {});
        return element;
      },
      focus: function () {
        if (select) select.focus();
      },
      blur: function () {
        if (select) select.blur();
      },
      clear: function () {
        if (select) select.selectedIndex = 0;
      },
      collapse: function () {},
      _selected: function () {
        return select ? select.value : null;
      },
      _mounted: function () {
        return !!(container && container.isConnected);
      },
    };

    function changeEvent() {
      return {
        elementType: type,
        empty: false,
        complete: true,
        collapsed: false,
        value: { type: 'card' },
      };
    }

    return element;
  }

  function createElements(stripe, options) {
    var handlers = {};
    var group = {
      _options: Object.assign({}, options || {}),
      _elements: {},
      _submitted: false,
      _updating: 0,
      on: function (event, handler) {
        (handlers[event] = handlers[event] || []).push(handler);
      },
      create: function (type, opts) {
        if (group._elements[type]) throw integrationError('Can only create one Element of type ' + type + '.');
        if (type === 'payment') checkOptionNames('create("payment")', opts);
        var el = type === 'expressCheckout' ? createExpressCheckout(group, opts) : createElement(group, type, opts);
        group._elements[type] = el;
        note('elements.create', { type: type });
        return el;
      },
      getElement: function (type) {
        return group._elements[type] || null;
      },
      // Like Stripe.js, an update takes effect later: the options apply, and "update-end" fires,
      // once Stripe has answered. Until then the group still has its old amount.
      update: function (opts) {
        checkOptionNames('elements.update()', opts);
        checkAmounts('elements.update()', opts);
        note('elements.update', opts);
        group._updating += 1;
        return new Promise(function (resolve) {
          setTimeout(function () {
            Object.assign(group._options, opts || {});
            group._updating -= 1;
            note('elements.update-end', opts);
            (handlers['update-end'] || []).slice().forEach(function (h) { h(); });
            resolve(undefined);
          }, cfg.updateDelayMs == null ? 50 : cfg.updateDelayMs);
        });
      },
      fetchUpdates: function () {
        return Promise.resolve({});
      },
      submit: function () {
        note('elements.submit', { updating: group._updating });
        if (group._updating) {
          // Stricter than documented: submitting mid-update would pay the amount before it.
          return Promise.reject(integrationError('elements.submit() was called before elements.update() finished (wait for "update-end").'));
        }
        var el = group._elements.payment || group._elements.expressCheckout;
        if (!el || !el._mounted()) {
          return Promise.resolve({
            error: { type: 'validation_error', message: 'The Payment Element is not mounted.' },
          });
        }
        group._submitted = true;
        return Promise.resolve({});
      },
    };
    return group;
  }

  function Stripe(publishableKey, options) {
    if (typeof publishableKey !== 'string' || publishableKey === '') {
      throw integrationError('Please call Stripe() with your publishable key. You used an empty string.');
    }
    if (/^sk_/.test(publishableKey)) {
      throw integrationError('You should not use your secret key with Stripe.js. Please pass a publishable key instead.');
    }
    if (!/^pk_(test|live)_[A-Za-z0-9_]+$/.test(publishableKey)) {
      throw integrationError('Invalid API Key provided: ' + publishableKey + '. Stripe() takes a publishable key (pk_test_… or pk_live_…).');
    }
    checkOptionNames('Stripe()', options);
    note('Stripe', { key: publishableKey, options: options });
    var key = publishableKey;

    var stripe = {
      _key: key,
      elements: function (opts) {
        checkOptionNames('elements()', opts);
        checkAmounts('elements()', opts);
        if (opts && opts.mode && opts.clientSecret) throw integrationError('elements(): pass either mode or clientSecret, not both.');
        note('elements', opts);
        return createElements(stripe, opts);
      },

      confirmPayment: function (args) {
        args = args || {};
        try {
          checkOptionNames('confirmPayment()', args);
          checkOptionNames('confirmParams', args.confirmParams);
        } catch (e) {
          return Promise.reject(e);
        }
        var elements = args.elements;
        var confirmParams = Object.assign({}, args.confirmParams || {});
        var redirect = args.redirect || 'always';
        note('confirmPayment', { clientSecret: args.clientSecret, confirmParams: confirmParams, redirect: redirect });
        if (!elements || !elements._elements) {
          return Promise.reject(integrationError('stripe.confirmPayment(): expected an `elements` instance.'));
        }
        var clientSecret = args.clientSecret || elements._options.clientSecret;
        var id = piId(clientSecret);
        if (!id) {
          return Promise.reject(integrationError('stripe.confirmPayment(): invalid or missing clientSecret.'));
        }
        if (elements._options.mode && !elements._submitted) {
          return Promise.reject(
            integrationError('elements.submit() must be called before stripe.confirmPayment().')
          );
        }
        if (redirect !== 'if_required' && !confirmParams.return_url) {
          return Promise.reject(
            integrationError('stripe.confirmPayment(): the `confirmParams.return_url` argument is required.')
          );
        }
        // After an Express Checkout Element's confirm event, Stripe.js pays with its wallet.
        var el = elements._expressConfirming || elements._elements.payment || elements._elements.expressCheckout;
        elements._expressConfirming = null;
        if (!el || !el._mounted()) {
          return Promise.resolve({ error: { type: 'validation_error', message: 'The Payment Element is not mounted.' } });
        }
        var invalid = checkConfirmParams(confirmParams);
        if (invalid) {
          note('confirmPayment.error', invalid);
          return Promise.resolve({ error: invalid });
        }
        var params = Object.assign({}, confirmParams, {
          key: key,
          client_secret: clientSecret,
          payment_method: el._selected(),
        });
        return apiCall('POST', '/v1/payment_intents/' + id + '/confirm', params).then(function (res) {
          if (res.status !== 200 || res.body.error) {
            var error = normaliseError(res.body.error);
            note('confirmPayment.error', error);
            return { error: error };
          }
          var pi = res.body;
          note('confirmPayment.ok', { id: pi.id, status: pi.status });
          var redirects = redirect !== 'if_required' || pi.status === 'requires_action';
          if (!redirects) return { paymentIntent: pi };
          var target = new URL(confirmParams.return_url, location.href);
          target.searchParams.set('payment_intent', pi.id);
          target.searchParams.set('payment_intent_client_secret', clientSecret);
          // A voucher (requires_action with display details) is shown by Stripe.js, then redirects as pending.
          var pending = pi.status === 'processing' || pi.status === 'requires_action';
          target.searchParams.set('redirect_status', pi.status === 'succeeded' ? 'succeeded' : pending ? 'pending' : 'failed');
          location.assign(target.href);
          return new Promise(function () {}); // Stripe.js never resolves when it redirects
        });
      },

      retrievePaymentIntent: function (clientSecret) {
        note('retrievePaymentIntent', {});
        var id = piId(clientSecret);
        if (!id) return Promise.reject(integrationError('Invalid value for retrievePaymentIntent: clientSecret.'));
        return apiCall('GET', '/v1/payment_intents/' + id, { key: key, client_secret: clientSecret }).then(
          function (res) {
            if (res.status !== 200 || res.body.error) return { error: normaliseError(res.body.error) };
            var pi = res.body;
            return {
              paymentIntent: {
                id: pi.id,
                object: 'payment_intent',
                amount: pi.amount,
                currency: pi.currency,
                status: pi.status,
                client_secret: pi.client_secret,
                created: pi.created,
                livemode: false,
                last_payment_error: pi.last_payment_error || null,
                next_action: pi.next_action || null,
                payment_method: pi.payment_method || null,
              },
            };
          }
        );
      },
    };
    return stripe;
  }

  // ---------------------------------------------------------------------------------------------
  // The Express Checkout Element (elements.create('expressCheckout', options)): a fake wallet.
  //
  // Its "iframe" holds one button, "Pay with Test Wallet", when the wallet is available
  // (window.STRIPE_DOUBLE.wallet; `wallet: false` offers none: `ready` then says
  // availablePaymentMethods: undefined, as Stripe.js does when no wallet can be shown). A click
  // fires `click` with resolve/reject, which a handler must call within 1 second (Stripe's rule;
  // later, the sheet never opens). resolve's options are checked against Stripe's
  // ClickResolveDetails. The "sheet" then at once fires `confirm` with the wallet's billing
  // details, its email and phone only when asked for, its shipping address and the first
  // shipping rate only when shippingAddressRequired. paymentFailed({message}) shows the message
  // in the "sheet" and closes it. confirmPayment pays with the wallet's payment method
  // (pm_card_visa unless wallet.paymentMethod says otherwise), like the Payment Element path.
  // ---------------------------------------------------------------------------------------------
  var WALLET = {
    paymentMethod: 'pm_card_visa',
    name: 'Wanda Wallet',
    email: 'wanda@wallet.example',
    phone: '+15555550100',
    address: { line1: '500 Wallet Way', line2: null, city: 'Portland', state: 'OR', postal_code: '97201', country: 'US' },
  };
  var CLICK_RESOLVE_KEYS = ['allowedShippingCountries', 'billingAddressRequired', 'business', 'emailRequired',
    'lineItems', 'phoneNumberRequired', 'shippingAddressRequired', 'shippingRates', 'applePay'];
  var CLICK_TIMEOUT_MS = 1000;

  function walletConfig() {
    if (cfg.wallet === false) return null;
    return Object.assign({}, WALLET, cfg.wallet || {});
  }

  function createExpressCheckout(group, options) {
    var handlers = {};
    var container = null;
    var status = null;
    var sheetOpen = false;
    var destroyed = false;
    var wallet = walletConfig();
    var opts = Object.assign({}, options || {});

    function emit(event, payload) {
      (handlers[event] || []).slice().forEach(function (h) {
        try {
          h(payload);
        } catch (e) {
          setTimeout(function () {
            throw e;
          });
        }
      });
    }

    function sheetSays(text) {
      if (status) status.textContent = text;
    }

    function openSheet(details) {
      var ask = Object.assign({}, opts, details || {});
      var address = Object.assign({}, wallet.address);
      var billing = { name: wallet.name, address: address };
      if (ask.emailRequired) billing.email = wallet.email;
      if (ask.phoneNumberRequired) billing.phone = wallet.phone;
      var event = {
        elementType: 'expressCheckout',
        expressPaymentType: 'google_pay',
        billingDetails: billing,
        paymentFailed: function (payload) {
          payload = payload || {};
          note('expressCheckout.paymentFailed', payload);
          sheetOpen = false;
          group._expressConfirming = null;
          sheetSays('Payment failed: ' + (payload.message || payload.reason || 'fail'));
        },
      };
      if (ask.shippingAddressRequired) {
        event.shippingAddress = { name: wallet.name, address: Object.assign({}, address) };
        if (ask.shippingRates && ask.shippingRates.length) event.shippingRate = ask.shippingRates[0];
      }
      note('expressCheckout.confirm', { ask: ask, billingDetails: billing, shippingAddress: event.shippingAddress });
      sheetSays('Paying…');
      group._expressConfirming = element;
      emit('confirm', event);
    }

    function onButton() {
      if (sheetOpen) return;
      sheetOpen = true;
      sheetSays('');
      if (!(handlers.click || []).length) return openSheet({});
      var settled = false;
      var timer = setTimeout(function () {
        if (settled) return;
        settled = true;
        sheetOpen = false;
        note('expressCheckout.click.timeout', {});
        sheetSays('The wallet did not open: click was not resolved within 1 second.');
      }, CLICK_TIMEOUT_MS);
      emit('click', {
        elementType: 'expressCheckout',
        expressPaymentType: 'google_pay',
        resolve: function (details) {
          if (settled) return;
          var bad = Object.keys(details || {}).filter(function (k) { return CLICK_RESOLVE_KEYS.indexOf(k) < 0; })[0];
          if (bad) throw integrationError('Invalid value for resolve(): ' + bad + ' is not a recognized parameter.');
          settled = true;
          clearTimeout(timer);
          note('expressCheckout.click.resolve', details || {});
          setTimeout(function () { openSheet(details); }, 0);
        },
        reject: function () {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          sheetOpen = false;
          note('expressCheckout.click.reject', {});
        },
      });
    }

    var element = {
      _type: 'expressCheckout',
      _options: opts,
      mount: function (target) {
        if (destroyed) throw integrationError('This Element has already been destroyed.');
        var host = resolveTarget(target);
        if (!group._options.mode && !group._options.clientSecret) {
          throw integrationError('In order to create an expressCheckout element, you must pass a clientSecret or mode when creating the Elements group.');
        }
        container = document.createElement('div');
        container.className = 'StripeElement stripe-double';
        container.setAttribute('data-stripe-double', 'expressCheckout');
        if (wallet) {
          var button = document.createElement('button');
          button.type = 'button';
          button.name = 'double-express';
          button.textContent = 'Pay with Test Wallet (Stripe double)';
          button.addEventListener('click', onButton);
          container.appendChild(button);
        }
        status = document.createElement('p');
        status.setAttribute('data-double-sheet', '');
        container.appendChild(status);
        host.innerHTML = '';
        host.appendChild(container);
        note('mount', { type: 'expressCheckout' });
        setTimeout(function () {
          emit('ready', {
            elementType: 'expressCheckout',
            availablePaymentMethods: wallet
              ? { applePay: false, googlePay: true, link: true, paypal: false, amazonPay: false, klarna: false }
              : undefined,
          });
        }, 0);
      },
      unmount: function () {
        if (container && container.parentNode) container.parentNode.removeChild(container);
        container = null;
        status = null;
      },
      destroy: function () {
        element.unmount();
        destroyed = true;
        delete group._elements.expressCheckout;
      },
      on: function (event, handler) {
        (handlers[event] = handlers[event] || []).push(handler);
        return element;
      },
      once: function (event, handler) {
        var wrapped = function (p) {
          element.off(event, wrapped);
          handler(p);
        };
        return element.on(event, wrapped);
      },
      off: function (event, handler) {
        if (!handler) delete handlers[event];
        else handlers[event] = (handlers[event] || []).filter(function (h) { return h !== handler; });
        return element;
      },
      update: function (o) {
        Object.assign(opts, o || {});
        return element;
      },
      focus: function () {},
      blur: function () {},
      _selected: function () {
        return wallet ? wallet.paymentMethod : null;
      },
      _mounted: function () {
        return !!(container && container.isConnected);
      },
    };
    return element;
  }

  window.Stripe = Stripe;
  window.Stripe.version = 'double';
})();
