#!/usr/bin/env node
// Writes the Outlook .msg samples of tests/ndr/test_msg.py (MS-OXMSG: a Compound
// File Binary file holding MAPI properties), with the npm package "cfb" (SheetJS).
//
//   npm ci && node tests/ndr/samples/msg/make_samples.js     (from the repository root)
//
// The .msg files are committed: the tests read them and never need Node.  The
// texts, names and hosts are made up for these tests (example and Microsoft
// documentation domains); the layouts follow what Exchange and Outlook write.
//
// A property object (message, recipient, attachment, embedded message) is a
// storage holding "__properties_version1.0" (a header, then one 16-byte entry
// per property: tag, flags, value or size) and one "__substg1.0_TTTTYYYY"
// stream per variable-length property (PT_UNICODE 001F in UTF-16LE without a
// terminator, PT_STRING8 001E, PT_BINARY 0102).  Recipients live in
// "__recip_version1.0_#0000000N" storages, attachments in
// "__attach_version1.0_#0000000N" ones, an attached message in the attachment's
// "__substg1.0_3701000D" storage.

"use strict";

const fs = require("fs");
const path = require("path");
const CFB = require("cfb");

const OUT = __dirname;

// Property types.
const PT_LONG = 0x0003;
const PT_SYSTIME = 0x0040;
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;
const PT_OBJECT = 0x000d;

// Property IDs used below (MS-OXPROPS).
const P = {
  MESSAGE_CLASS: 0x001a,
  SUBJECT: 0x0037,
  CLIENT_SUBMIT_TIME: 0x0039,
  ORIGINAL_SUBJECT: 0x0049,
  ORIGINAL_SUBMIT_TIME: 0x004e,
  ORIGINAL_DISPLAY_TO: 0x0074,
  TRANSPORT_MESSAGE_HEADERS: 0x007d,
  NDR_REASON_CODE: 0x0c04,
  NDR_DIAG_CODE: 0x0c05,
  RECIPIENT_TYPE: 0x0c15,
  SENDER_NAME: 0x0c1a,
  SUPPLEMENTARY_INFO: 0x0c1b,
  SENDER_ADDRTYPE: 0x0c1e,
  SENDER_EMAIL_ADDRESS: 0x0c1f,
  NDR_STATUS_CODE: 0x0c20,
  REMOTE_MTA: 0x0c21,
  DISPLAY_TO: 0x0e04,
  MESSAGE_DELIVERY_TIME: 0x0e06,
  MESSAGE_FLAGS: 0x0e07,
  NORMALIZED_SUBJECT: 0x0e1d,
  BODY: 0x1000,
  RTF_COMPRESSED: 0x1009,
  HTML: 0x1013,
  INTERNET_MESSAGE_ID: 0x1035,
  DISPLAY_NAME: 0x3001,
  ADDRTYPE: 0x3002,
  EMAIL_ADDRESS: 0x3003,
  ATTACH_DATA: 0x3701,
  ATTACH_FILENAME: 0x3704,
  ATTACH_METHOD: 0x3705,
  ATTACH_LONG_FILENAME: 0x3707,
  ATTACH_MIME_TAG: 0x370e,
  STORE_SUPPORT_MASK: 0x340d,
  SMTP_ADDRESS: 0x39fe,
  MESSAGE_CODEPAGE: 0x3ffd,
  SENDER_SMTP_ADDRESS: 0x5d01,
};

const STORE_UNICODE_OK = 0x00040000;
const ATTACH_BY_VALUE = 1;
const ATTACH_EMBEDDED_MSG = 5;
const MAPI_TO = 1;
const PROPATTR_READABLE_WRITABLE = 0x06;
// {00020D0B-0000-0000-C000-000000000046}, the class of a .msg root storage, as stored.
const MSG_CLSID = "0b0d020000000000c000000000000046";

const hex = (n, width) => n.toString(16).toUpperCase().padStart(width, "0");

/** 100-ns intervals since 1601-01-01, as PT_SYSTIME stores a time. */
function filetime(iso) {
  const ms = BigInt(Date.parse(iso));
  return (ms + 11644473600000n) * 10000n;
}

/** The properties of one message, recipient or attachment, and its children. */
class PropObject {
  constructor() {
    this.fixed = []; // [tag, Buffer(8)]
    this.streams = []; // [tag, Buffer]
    this.recipients = [];
    this.attachments = [];
    this.embedded = null; // an attached message (PropObject)
  }
  long(id, value) {
    const b = Buffer.alloc(8);
    b.writeInt32LE(value, 0);
    this.fixed.push([(id << 16) | PT_LONG, b]);
    return this;
  }
  time(id, iso) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(filetime(iso), 0);
    this.fixed.push([(id << 16) | PT_SYSTIME, b]);
    return this;
  }
  str(id, text) {
    this.streams.push([(id << 16) | PT_UNICODE, Buffer.from(text, "utf16le")]);
    return this;
  }
  str8(id, bytes) {
    this.streams.push([(id << 16) | PT_STRING8, bytes]);
    return this;
  }
  bin(id, bytes) {
    this.streams.push([(id << 16) | PT_BINARY, bytes]);
    return this;
  }
  recipient(r) {
    this.recipients.push(r);
    return this;
  }
  attach(a) {
    this.attachments.push(a);
    return this;
  }
}

/** The 16-byte entries of a property stream (MS-OXMSG 2.4.2). */
function propertyEntries(obj) {
  const entries = [];
  for (const [tag, value] of obj.fixed) {
    const e = Buffer.alloc(16);
    e.writeUInt32LE(tag >>> 0, 0);
    e.writeUInt32LE(PROPATTR_READABLE_WRITABLE, 4);
    value.copy(e, 8);
    entries.push(e);
  }
  for (const [tag, data] of obj.streams) {
    const e = Buffer.alloc(16);
    const type = tag & 0xffff;
    e.writeUInt32LE(tag >>> 0, 0);
    e.writeUInt32LE(PROPATTR_READABLE_WRITABLE, 4);
    // A string's size counts its terminator, which the stream leaves out.
    const size =
      type === PT_UNICODE ? data.length + 2 : type === PT_STRING8 ? data.length + 1 : data.length;
    e.writeUInt32LE(size, 8);
    entries.push(e);
  }
  if (obj.embedded) {
    const e = Buffer.alloc(16);
    e.writeUInt32LE(((P.ATTACH_DATA << 16) | PT_OBJECT) >>> 0, 0);
    e.writeUInt32LE(PROPATTR_READABLE_WRITABLE, 4);
    e.writeUInt32LE(0xffffffff, 8); // an embedded message's size
    entries.push(e);
  }
  return entries;
}

/** Add ``obj`` under ``prefix`` ("" for the root); ``kind`` picks the header. */
function addObject(cfb, prefix, obj, kind) {
  let header;
  if (kind === "message" || kind === "embedded") {
    // Reserved (8), next recipient ID, next attachment ID, recipient count,
    // attachment count; the top-level message adds 8 reserved bytes.
    header = Buffer.alloc(kind === "message" ? 32 : 24);
    header.writeUInt32LE(obj.recipients.length, 8);
    header.writeUInt32LE(obj.attachments.length, 12);
    header.writeUInt32LE(obj.recipients.length, 16);
    header.writeUInt32LE(obj.attachments.length, 20);
  } else {
    header = Buffer.alloc(8); // recipient and attachment objects: reserved
  }
  const props = Buffer.concat([header, ...propertyEntries(obj)]);
  CFB.utils.cfb_add(cfb, prefix + "__properties_version1.0", props);
  for (const [tag, data] of obj.streams) {
    CFB.utils.cfb_add(cfb, prefix + "__substg1.0_" + hex(tag >>> 0, 8), data);
  }
  obj.recipients.forEach((r, i) => {
    addObject(cfb, `${prefix}__recip_version1.0_#${hex(i, 8)}/`, r, "recipient");
  });
  obj.attachments.forEach((a, i) => {
    const dir = `${prefix}__attach_version1.0_#${hex(i, 8)}/`;
    addObject(cfb, dir, a, "attachment");
    if (a.embedded) {
      addObject(cfb, dir + "__substg1.0_3701000D/", a.embedded, "embedded");
    }
  });
}

/**
 * Give each empty stream the start sector MS-CFB asks for (ENDOFCHAIN): SheetJS
 * leaves 0, which olefile reports as a defect.  SheetJS writes the directory as
 * one run of sectors, ``count`` entries long.
 */
function markEmptyStreams(data, count) {
  const dir = (data.readUInt32LE(0x30) + 1) * 512;
  for (let i = 0; i < count; i++) {
    const entry = dir + i * 128;
    const isStream = data[entry + 66] === 2;
    if (isStream && data.readUInt32LE(entry + 120) === 0) {
      data.writeUInt32LE(0xfffffffe, entry + 116);
    }
  }
}

/** Write a whole .msg file and return its bytes. */
function writeMsg(name, message) {
  const cfb = CFB.utils.cfb_new({ CLSID: MSG_CLSID });
  addObject(cfb, "/", message, "message");
  // The named property mapping: no named properties here, but the storage and
  // its three streams are required.
  for (const stream of ["00020102", "00030102", "00040102"]) {
    CFB.utils.cfb_add(cfb, `/__nameid_version1.0/__substg1.0_${stream}`, Buffer.alloc(0));
  }
  // SheetJS seeds a placeholder stream of its own: not part of a .msg.
  CFB.utils.cfb_del(cfb, "/\u0001Sh33tJ5");
  const data = Buffer.from(CFB.write(cfb, { type: "buffer" }));
  markEmptyStreams(data, cfb.FullPaths.length);
  fs.writeFileSync(path.join(OUT, name), data);
  return data;
}

const crlf = (text) => text.replace(/\r?\n/g, "\r\n");

function recipient({ name, address, type = "SMTP", smtp, ndr = {} }) {
  const r = new PropObject()
    .long(P.RECIPIENT_TYPE, MAPI_TO)
    .str(P.DISPLAY_NAME, name)
    .str(P.ADDRTYPE, type)
    .str(P.EMAIL_ADDRESS, address);
  if (smtp) r.str(P.SMTP_ADDRESS, smtp);
  if (ndr.supplementary) r.str(P.SUPPLEMENTARY_INFO, ndr.supplementary);
  if (ndr.remoteMta) r.str(P.REMOTE_MTA, ndr.remoteMta);
  if (ndr.status !== undefined) r.long(P.NDR_STATUS_CODE, ndr.status);
  if (ndr.diag !== undefined) r.long(P.NDR_DIAG_CODE, ndr.diag);
  if (ndr.reason !== undefined) r.long(P.NDR_REASON_CODE, ndr.reason);
  return r;
}

function unicodeMessage(messageClass, subject) {
  return new PropObject()
    .long(P.STORE_SUPPORT_MASK, STORE_UNICODE_OK)
    .str(P.MESSAGE_CLASS, messageClass)
    .str(P.SUBJECT, subject)
    .str(P.NORMALIZED_SUBJECT, subject.replace(/^[A-Za-z]{1,20}: /, ""))
    .long(P.MESSAGE_FLAGS, 1);
}

// --- 1. Exchange Online, current layout; the original attached as a message ------

const CURRENT_HOST = "AM7PR03MB6472.eurprd03.prod.outlook.com";
const CURRENT_STYLE = `
.rfc822-header { font-family: Segoe UI, Frutiger, Arial, sans-serif; font-size: 10pt; color: #1b1b1b; }
.nav-bar { width: 100%; border-collapse: collapse; margin: 0 0 16px 0; }
.nav-bar td { padding: 6px 10px; font-size: 9pt; color: #605e5c; }
.headline { font-family: Segoe UI Light, Segoe WP Light, Segoe UI, sans-serif; font-size: 17pt; color: #c42b1c; margin: 12px 0 4px 0; }
.summary { font-size: 11pt; color: #323130; margin: 0 0 18px 0; }
.flow-table { width: 100%; border-collapse: collapse; table-layout: fixed; margin: 8px 0 20px 0; }
.flow-table td { text-align: center; vertical-align: top; padding: 4px; font-size: 9pt; color: #605e5c; }
.flow-table .state-ok { color: #107c10; font-weight: 600; }
.flow-table .state-fail { color: #c42b1c; font-weight: 600; }
.section-title { font-family: Segoe UI Semibold, Segoe UI, sans-serif; font-size: 12pt; color: #323130; margin: 22px 0 6px 0; border-bottom: 1px solid #edebe9; }
.admin-title { font-family: Segoe UI Semibold, Segoe UI, sans-serif; font-size: 14pt; color: #323130; margin: 28px 0 8px 0; }
.detail-label { font-weight: 600; color: #323130; }
.detail { font-size: 10pt; color: #323130; margin: 2px 0 2px 0; }
.hop-table { border-collapse: collapse; width: 100%; font-size: 8pt; margin: 6px 0 18px 0; }
.hop-table th { background: #f3f2f1; border: 1px solid #c8c6c4; padding: 4px 6px; text-align: left; font-weight: 600; }
.hop-table td { border: 1px solid #c8c6c4; padding: 4px 6px; vertical-align: top; word-break: break-all; }
.footer { font-size: 8pt; color: #8a8886; margin: 24px 0 0 0; }
`;

const CURRENT_HTML = `<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<style>${CURRENT_STYLE}</style>
</head>
<body>
<table class="nav-bar"><tr><td>Office 365</td><td style="text-align:right">Report generated for nora.diaz@northwindtraders.com</td></tr></table>
<div class="headline">Your message to lena.fischer@contoso.com couldn't be delivered.</div>
<div class="summary"><b>lena.fischer</b> wasn't found at <b>contoso.com</b>.</div>
<table class="flow-table">
<tr><td>nora.diaz</td><td>Office 365</td><td>lena.fischer</td></tr>
<tr><td class="state-ok">Sender</td><td class="state-fail">Action Required</td><td>Recipient</td></tr>
</table>
<div class="section-title">Unknown To address</div>
<div class="section-title">How to Fix It</div>
<p class="detail">The address may be misspelled or may not exist. Check the address for typing mistakes, remove it from your contacts if it is saved there, and send the message again.</p>
<p class="detail">If the address is right, ask the recipient to confirm it with their email admin.</p>
<div class="admin-title">More Info for Email Admins</div>
<p class="detail"><span class="detail-label">Status code:</span> 550 5.1.10</p>
<p class="detail">The sender's message reached Office 365, but no mailbox or contact in the recipient's organization has this address. Check that the address exists in the recipient domain and that directory synchronization is current.</p>
<div class="section-title">Original Message Details</div>
<p class="detail"><span class="detail-label">Created Date:</span> 3/6/2025 9:14:21 AM<br>
<span class="detail-label">Sender Address:</span> nora.diaz@northwindtraders.com<br>
<span class="detail-label">Recipient Address:</span> lena.fischer@contoso.com<br>
<span class="detail-label">Subject:</span> Q3 planning notes</p>
<div class="section-title">Error Details</div>
<p class="detail"><span class="detail-label">Reported error:</span> 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient lena.fischer@contoso.com not found by SMTP address lookup<br>
<span class="detail-label">DSN generated by:</span> ${CURRENT_HOST}</p>
<div class="section-title">Message Hops</div>
<table class="hop-table">
<tr><th>HOP</th><th>TIME (UTC)</th><th>FROM</th><th>TO</th><th>WITH</th><th>RELAY TIME</th></tr>
<tr><td>1</td><td>3/6/2025 9:14:21 AM</td><td>${CURRENT_HOST}</td><td>${CURRENT_HOST}</td><td>mapi</td><td>*</td></tr>
<tr><td>2</td><td>3/6/2025 9:14:27 AM</td><td>${CURRENT_HOST}</td><td>${CURRENT_HOST}</td><td>Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)</td><td>6 sec</td></tr>
</table>
<p class="footer">This report was generated for a message sent from a Northwind Traders mailbox. The original message is attached.</p>
</body>
</html>
`;

const currentOriginal = unicodeMessage("IPM.Note", "Q3 planning notes")
  .str(
    P.TRANSPORT_MESSAGE_HEADERS,
    crlf(`Received: from ${CURRENT_HOST} ([::1]) by ${CURRENT_HOST}
 ([fe80::5c1:8a2e:b3f0:11d4%4]) with mapi id 15.20.8489.025; Thu, 6 Mar 2025
 09:14:21 +0000
From: Nora Diaz <nora.diaz@northwindtraders.com>
To: Lena Fischer <lena.fischer@contoso.com>
Subject: Q3 planning notes
Thread-Topic: Q3 planning notes
Date: Thu, 6 Mar 2025 09:14:21 +0000
Message-ID: <AM7PR03MB6472A1B2C3D4E5F6@${CURRENT_HOST}>
Content-Language: en-US
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"

`),
  )
  .str(P.SENDER_NAME, "Nora Diaz")
  .str(P.SENDER_ADDRTYPE, "SMTP")
  .str(P.SENDER_EMAIL_ADDRESS, "nora.diaz@northwindtraders.com")
  .str(P.DISPLAY_TO, "Lena Fischer")
  .str(P.INTERNET_MESSAGE_ID, `<AM7PR03MB6472A1B2C3D4E5F6@${CURRENT_HOST}>`)
  .time(P.CLIENT_SUBMIT_TIME, "2025-03-06T09:14:21Z")
  .str(P.BODY, crlf("Hi Lena,\n\nHere are my notes from the Q3 planning call.\n\nNora\n"))
  .recipient(
    recipient({
      name: "Lena Fischer",
      address: "lena.fischer@contoso.com",
      smtp: "lena.fischer@contoso.com",
    }),
  );

const currentAttachment = new PropObject()
  .long(P.ATTACH_METHOD, ATTACH_EMBEDDED_MSG)
  .str(P.DISPLAY_NAME, "Q3 planning notes")
  .str(P.ATTACH_MIME_TAG, "message/rfc822");
currentAttachment.embedded = currentOriginal;

const current = unicodeMessage("REPORT.IPM.Note.NDR", "Undeliverable: Q3 planning notes")
  .str(
    P.TRANSPORT_MESSAGE_HEADERS,
    crlf(`Received: from ${CURRENT_HOST} (2603:10a6:20b:4f1::9) by
 ${CURRENT_HOST} with Microsoft SMTP Server
 (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8489.25;
 Thu, 6 Mar 2025 09:14:27 +0000
MIME-Version: 1.0
From: Microsoft Outlook
\t<MicrosoftExchange5e0f7d1c2b3a49d8a6c7e8f901234567@northwindtraders.onmicrosoft.com>
To: <nora.diaz@northwindtraders.com>
Date: Thu, 6 Mar 2025 09:14:27 +0000
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="8c1f4e2a-93d7-4b05-a6e1-2f7c9d3b5e80"
X-MS-Exchange-Message-Is-Ndr:
Content-Language: en-US
Message-ID: <0b9e4d27-1c6a-4f38-9e25-7a3d8c1f6b40@${CURRENT_HOST}>
In-Reply-To: <AM7PR03MB6472A1B2C3D4E5F6@${CURRENT_HOST}>
References: <AM7PR03MB6472A1B2C3D4E5F6@${CURRENT_HOST}>
Subject: Undeliverable: Q3 planning notes
Auto-Submitted: auto-replied
X-MS-PublicTrafficType: Email

`),
  )
  .str(P.SENDER_NAME, "Microsoft Outlook")
  .str(P.SENDER_ADDRTYPE, "SMTP")
  .str(
    P.SENDER_EMAIL_ADDRESS,
    "MicrosoftExchange5e0f7d1c2b3a49d8a6c7e8f901234567@northwindtraders.onmicrosoft.com",
  )
  .str(P.DISPLAY_TO, "Nora Diaz")
  .time(P.CLIENT_SUBMIT_TIME, "2025-03-06T09:14:27Z")
  .time(P.MESSAGE_DELIVERY_TIME, "2025-03-06T09:14:28Z")
  .str(P.ORIGINAL_SUBJECT, "Q3 planning notes")
  .str(P.ORIGINAL_DISPLAY_TO, "Lena Fischer")
  .time(P.ORIGINAL_SUBMIT_TIME, "2025-03-06T09:14:21Z")
  .bin(P.HTML, Buffer.from(crlf(CURRENT_HTML), "utf8"))
  .recipient(
    recipient({
      name: "lena.fischer@contoso.com",
      address: "lena.fischer@contoso.com",
      smtp: "lena.fischer@contoso.com",
      ndr: {
        supplementary:
          "< #5.1.10 smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; " +
          "Recipient lena.fischer@contoso.com not found by SMTP address lookup>",
        // MS-OXCMAIL: kind * 100 + subject * 10 + detail, a part over 9 read as 0.
        status: 510,
        diag: 0,
        reason: 1,
      },
    }),
  )
  .attach(currentAttachment);

const currentBytes = writeMsg("ndr-current.msg", current);

// --- 2. Exchange on premises, classic layout; original attached without headers --

const classicBody = crlf(`Delivery has failed to these recipients or groups:

Kim Akers (kim.akers@fabrikam.com)
The email address you entered couldn't be found. Please check the recipient's email address and try to resend the message. If the problem continues, please contact your helpdesk.

Diagnostic information for administrators:

Generating server: EXCH02.fabrikam.com

kim.akers@fabrikam.com
Remote Server returned '550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found'

Original message headers:

Received: from EXCH01.fabrikam.com (192.0.2.21) by EXCH02.fabrikam.com
 (192.0.2.22) with Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384) id 15.1.2507.39; Tue, 11 Mar 2025
 15:02:10 +0100
From: Sam Taylor <sam.taylor@fabrikam.com>
To: Kim Akers <kim.akers@fabrikam.com>
Subject: Purchase order 4471
Date: Tue, 11 Mar 2025 15:02:08 +0100
Message-ID: <7d41c0a9e2b34f6c8a15d9e0f3b27c64@EXCH01.fabrikam.com>
MIME-Version: 1.0
Content-Type: text/plain
`);

const classicOriginal = unicodeMessage("IPM.Note", "Purchase order 4471")
  .str(P.SENDER_NAME, "Sam Taylor")
  .str(P.SENDER_ADDRTYPE, "SMTP")
  .str(P.SENDER_EMAIL_ADDRESS, "sam.taylor@fabrikam.com")
  .str(P.SENDER_SMTP_ADDRESS, "sam.taylor@fabrikam.com")
  .str(P.DISPLAY_TO, "Kim Akers")
  .str(P.INTERNET_MESSAGE_ID, "<7d41c0a9e2b34f6c8a15d9e0f3b27c64@EXCH01.fabrikam.com>")
  .time(P.CLIENT_SUBMIT_TIME, "2025-03-11T14:02:08Z")
  .str(P.BODY, crlf("Kim,\n\nPlease approve purchase order 4471 by Friday.\n\nSam\n"))
  .recipient(
    recipient({ name: "Kim Akers", address: "kim.akers@fabrikam.com", smtp: "kim.akers@fabrikam.com" }),
  );

const classicAttachment = new PropObject()
  .long(P.ATTACH_METHOD, ATTACH_EMBEDDED_MSG)
  .str(P.DISPLAY_NAME, "Purchase order 4471");
classicAttachment.embedded = classicOriginal;

const classic = unicodeMessage("REPORT.IPM.Note.NDR", "Undeliverable: Purchase order 4471")
  .str(P.SENDER_NAME, "Microsoft Outlook")
  .str(P.SENDER_ADDRTYPE, "SMTP")
  .str(P.SENDER_EMAIL_ADDRESS, "postmaster@fabrikam.com")
  .str(P.DISPLAY_TO, "Sam Taylor")
  .time(P.CLIENT_SUBMIT_TIME, "2025-03-11T14:02:10Z")
  .str(P.BODY, classicBody)
  .recipient(
    recipient({
      name: "Kim Akers",
      address: "kim.akers@fabrikam.com",
      smtp: "kim.akers@fabrikam.com",
      ndr: {
        supplementary:
          "<EXCH02.fabrikam.com #5.1.1 smtp;550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found>",
        status: 511,
        diag: 0,
        reason: 1,
      },
    }),
  )
  .attach(classicAttachment);

writeMsg("ndr-classic.msg", classic);

// --- 3. A Postfix bounce kept by Outlook from an IMAP account: plain IPM.Note, ---
// --- with the delivery-status part and the original as attachments (no report class).

const postfixBoundary = "4Zq8Kd1vXbz9tQw.1741771332/mail.example.org";
const postfixDsn = crlf(`Reporting-MTA: dns; mail.example.org
X-Postfix-Queue-ID: 4Zq8Kd1vXbz9tQw
X-Postfix-Sender: rfc822; ines.moreau@example.org
Arrival-Date: Wed, 12 Mar 2025 10:22:09 +0100 (CET)

Final-Recipient: rfc822; omar.haddad@example.net
Original-Recipient: rfc822;omar.haddad@example.net
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx1.example.net
Diagnostic-Code: smtp; 550 5.1.1 <omar.haddad@example.net>: Recipient address
    rejected: User unknown in virtual mailbox table
`);
const postfixOriginal = crlf(`Return-Path: <ines.moreau@example.org>
Received: from laptop.example.org (unknown [203.0.113.40])
\tby mail.example.org (Postfix) with ESMTPSA id 4Zq8Kd1vXbz9tQw
\tfor <omar.haddad@example.net>; Wed, 12 Mar 2025 10:22:09 +0100 (CET)
From: Ines Moreau <ines.moreau@example.org>
To: Omar Haddad <omar.haddad@example.net>
Subject: Workshop agenda
Date: Wed, 12 Mar 2025 10:22:05 +0100
Message-ID: <c3f1e2d4-5a6b-4c7d-8e9f-0a1b2c3d4e5f@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

Hello Omar, the agenda for Thursday's workshop is below.
`);
const postfixBody = crlf(`This is the mail system at host mail.example.org.

Your message could not be delivered to one or more recipients.
The returned message is attached.

For help, please write to postmaster and include this report;
you may remove your own text from the attached message.

                   The mail system

<omar.haddad@example.net>: host mx1.example.net[198.51.100.25] said: 550 5.1.1
    <omar.haddad@example.net>: Recipient address rejected: User unknown in
    virtual mailbox table (in reply to RCPT TO command)
`);

const postfix = unicodeMessage("IPM.Note", "Undelivered Mail Returned to Sender")
  .str(
    P.TRANSPORT_MESSAGE_HEADERS,
    crlf(`Return-Path: <>
Received: by mail.example.org (Postfix)
\tid 5B21C3E0A7; Wed, 12 Mar 2025 10:22:12 +0100 (CET)
Date: Wed, 12 Mar 2025 10:22:12 +0100 (CET)
From: MAILER-DAEMON@mail.example.org (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: ines.moreau@example.org
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="${postfixBoundary}"
Message-Id: <20250312092212.5B21C3E0A7@mail.example.org>

`),
  )
  .str(P.SENDER_NAME, "Mail Delivery System")
  .str(P.SENDER_ADDRTYPE, "SMTP")
  .str(P.SENDER_EMAIL_ADDRESS, "MAILER-DAEMON@mail.example.org")
  .str(P.DISPLAY_TO, "ines.moreau@example.org")
  .time(P.CLIENT_SUBMIT_TIME, "2025-03-12T09:22:12Z")
  .str(P.BODY, postfixBody)
  .recipient(
    recipient({
      name: "ines.moreau@example.org",
      address: "ines.moreau@example.org",
      smtp: "ines.moreau@example.org",
    }),
  )
  .attach(
    new PropObject()
      .long(P.ATTACH_METHOD, ATTACH_BY_VALUE)
      .str(P.ATTACH_FILENAME, "details.txt")
      .str(P.ATTACH_LONG_FILENAME, "details.txt")
      .str(P.ATTACH_MIME_TAG, "message/delivery-status")
      .bin(P.ATTACH_DATA, Buffer.from(postfixDsn, "utf8")),
  )
  .attach(
    new PropObject()
      .long(P.ATTACH_METHOD, ATTACH_BY_VALUE)
      .str(P.ATTACH_FILENAME, "UNDELI~1.EML")
      .str(P.ATTACH_LONG_FILENAME, "Undelivered Message.eml")
      .str(P.ATTACH_MIME_TAG, "message/rfc822")
      .bin(P.ATTACH_DATA, Buffer.from(postfixOriginal, "utf8")),
  );

writeMsg("postfix-imap.msg", postfix);

// --- 4. A report whose body names no address and no code: the recipient table has them.

const thinBody = crlf(`Your message did not reach some or all of the intended recipients.

      Subject:\tBoard pack
      Sent:\t3/13/2025 8:02 AM

The following recipient(s) cannot be reached:

      Omar Haddad on 3/13/2025 8:02 AM

      Pat Kowalski on 3/13/2025 8:03 AM
`);

const thin = unicodeMessage("REPORT.IPM.Note.NDR", "Undeliverable: Board pack")
  .str(P.SENDER_NAME, "System Administrator")
  .str(P.DISPLAY_TO, "Sam Taylor")
  .time(P.CLIENT_SUBMIT_TIME, "2025-03-13T07:03:40Z")
  .str(P.ORIGINAL_SUBJECT, "Board pack")
  .str(P.ORIGINAL_DISPLAY_TO, "Omar Haddad; Pat Kowalski")
  .time(P.ORIGINAL_SUBMIT_TIME, "2025-03-13T07:02:11Z")
  .str(P.BODY, thinBody)
  .recipient(
    recipient({
      name: "Omar Haddad",
      address: "omar.haddad@example.net",
      ndr: {
        supplementary:
          "<mx1.example.net #5.1.1 smtp;550 5.1.1 <omar.haddad@example.net>: " +
          "Recipient address rejected: User unknown in virtual mailbox table>",
        remoteMta: "mx1.example.net",
        status: 511,
        diag: 0,
        reason: 1,
      },
    }),
  )
  .recipient(
    recipient({
      name: "Pat Kowalski",
      // An Exchange (X.500) address: the SMTP address is in its own property.
      type: "EX",
      address:
        "/O=FABRIKAM/OU=EXCHANGE ADMINISTRATIVE GROUP (FYDIBOHF23SPDLT)/CN=RECIPIENTS/CN=PKOWALSKI",
      smtp: "pat.kowalski@fabrikam.com",
      ndr: { status: 522, diag: 4, reason: 0 },
    }),
  );

writeMsg("ndr-thin-body.msg", thin);

// --- 5. A report whose only body is RTF wrapping HTML (how Outlook's stores keep many
// --- HTML items), compressed in the "uncompressed" form of MS-OXRTFCP.

/** Wrap ``html`` in RTF the way MS-OXRTFEX encapsulates HTML: tags in \htmltag groups. */
function encapsulateHtml(html) {
  const escape = (text) =>
    text
      .replace(/[\\{}]/g, (c) => "\\" + c)
      .replace(/[^\x20-\x7e]/g, (c) => (c === "\n" ? " " : `\\u${c.charCodeAt(0)}?`));
  const parts = ["{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 \\deff0{\\fonttbl{\\f0\\fswiss Arial;}}\r\n"];
  for (const piece of html.split(/(<[^>]*>)/)) {
    if (!piece) continue;
    parts.push(piece.startsWith("<") ? `{\\*\\htmltag64 ${escape(piece)}}` : escape(piece));
  }
  parts.push("}");
  return Buffer.from(parts.join(""), "latin1");
}

/** PR_RTF_COMPRESSED holding ``rtf`` uncompressed ("MELA"): sizes, type, no CRC. */
function rtfUncompressed(rtf) {
  const header = Buffer.alloc(16);
  header.writeUInt32LE(rtf.length + 12, 0);
  header.writeUInt32LE(rtf.length, 4);
  header.write("MELA", 8, "latin1");
  return Buffer.concat([header, rtf]);
}

const RTF_HOST = "PA4PR08MB7123.eurprd08.prod.outlook.com";
const rtfHtml = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>
<p>Your message to dana.ruiz@contoso.com couldn't be delivered.</p>
<p>The recipient's email system doesn't accept messages from outside senders to this address.</p>
<p>How to Fix It</p>
<p>Ask the recipient's email admin whether the address accepts external mail.</p>
<p>More Info for Email Admins</p>
<p>Status code: 550 5.4.1</p>
<p>Original Message Details</p>
<p>Created Date: 3/17/2025 4:41:09 PM<br>Sender Address: ines.moreau@example.org<br>Recipient Address: dana.ruiz@contoso.com<br>Subject: Invoice 2025-031</p>
<p>Error Details</p>
<p>Reported error: 550 5.4.1 Recipient address rejected: Access denied.<br>DSN generated by: ${RTF_HOST}</p>
</body></html>
`;

const rtfReport = unicodeMessage("REPORT.IPM.Note.NDR", "Undeliverable: Invoice 2025-031")
  .str(P.SENDER_NAME, "Microsoft Outlook")
  .str(P.SENDER_ADDRTYPE, "SMTP")
  .str(P.SENDER_EMAIL_ADDRESS, "postmaster@example.org")
  .time(P.CLIENT_SUBMIT_TIME, "2025-03-17T16:41:12Z")
  .str(P.ORIGINAL_SUBJECT, "Invoice 2025-031")
  .bin(P.RTF_COMPRESSED, rtfUncompressed(encapsulateHtml(rtfHtml)))
  .recipient(
    recipient({
      name: "dana.ruiz@contoso.com",
      address: "dana.ruiz@contoso.com",
      smtp: "dana.ruiz@contoso.com",
      ndr: {
        supplementary: `<${RTF_HOST} #5.4.1 smtp;550 5.4.1 Recipient address rejected: Access denied.>`,
        status: 541,
      },
    }),
  );

writeMsg("ndr-rtf-body.msg", rtfReport);

// --- 6. An ordinary message, strings in the ANSI code page (PT_STRING8) ------------

// Every character used is in Latin-1, where windows-1252 agrees with it.
const cp1252 = (text) => Buffer.from(text, "latin1");
const plain = new PropObject()
  .long(P.MESSAGE_CODEPAGE, 1252)
  .str8(P.MESSAGE_CLASS, cp1252("IPM.Note"))
  .str8(P.SUBJECT, cp1252("Caf\u00e9 on Friday?"))
  .str8(P.NORMALIZED_SUBJECT, cp1252("Caf\u00e9 on Friday?"))
  .long(P.MESSAGE_FLAGS, 1)
  .str8(
    P.TRANSPORT_MESSAGE_HEADERS,
    cp1252(
      crlf(`Received: from mail.example.com (mail.example.com [192.0.2.80])
\tby mx.example.org with ESMTPS id 7F3A2C01; Fri, 14 Mar 2025 11:40:02 +0100
From: Alex Wong <alex.wong@example.com>
To: Ines Moreau <ines.moreau@example.org>, Omar Haddad <omar.haddad@example.net>
Subject: =?windows-1252?Q?Caf=E9_on_Friday=3F?=
Date: Fri, 14 Mar 2025 11:40:00 +0100
Message-ID: <5e6f7a8b9c0d@mail.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="windows-1252"

`),
    ),
  )
  .str8(P.SENDER_NAME, cp1252("Alex Wong"))
  .str8(P.SENDER_ADDRTYPE, cp1252("SMTP"))
  .str8(P.SENDER_EMAIL_ADDRESS, cp1252("alex.wong@example.com"))
  .str8(P.DISPLAY_TO, cp1252("Ines Moreau; Omar Haddad"))
  .time(P.CLIENT_SUBMIT_TIME, "2025-03-14T10:40:00Z")
  .str8(
    P.BODY,
    cp1252(
      crlf(
        "Hi both,\n\nShall we meet at the caf\u00e9 near the station on Friday at noon?\n" +
          "If the message does not reach you, I will call.\n\nAlex\n",
      ),
    ),
  );
for (const [name, address] of [
  ["Ines Moreau", "ines.moreau@example.org"],
  ["Omar Haddad", "omar.haddad@example.net"],
]) {
  const r = new PropObject()
    .long(P.RECIPIENT_TYPE, MAPI_TO)
    .str8(P.DISPLAY_NAME, cp1252(name))
    .str8(P.ADDRTYPE, cp1252("SMTP"))
    .str8(P.EMAIL_ADDRESS, cp1252(address));
  plain.recipient(r);
}

writeMsg("plain-message.msg", plain);

// --- 7. The first sample cut short, as an interrupted download or copy leaves it ---
// SheetJS puts the directory first and the mini stream (where every property under
// 4096 bytes lives) last.  Cut inside the mini stream: the directory and the large
// HTML body are whole, and the small properties past the cut are lost.

const dirSector = currentBytes.readUInt32LE(0x30);
const rootEntry = (dirSector + 1) * 512;
const miniStart = (currentBytes.readUInt32LE(rootEntry + 0x74) + 1) * 512;
const miniSize = currentBytes.readUInt32LE(rootEntry + 0x78);
const cut = miniStart + Math.floor((miniSize * 0.55) / 64) * 64 + 21;
fs.writeFileSync(path.join(OUT, "ndr-current-truncated.msg"), currentBytes.subarray(0, cut));

console.log("wrote .msg samples to", OUT);
