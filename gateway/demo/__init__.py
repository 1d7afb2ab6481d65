"""`edi-gateway demo`: a day of EDI played against the real gateway and the Odoo sandbox (see `runner`).

    runner       the twelve steps, the summary, --keep-running
    workspace    init's workspace made runnable alone: free loopback ports, partners' keys and certificates
    partners     the partners' side: folder drops, SFTP uploads/pick-ups, their 997/999/CONTRL writers
    as2_station  BigBox's AS2 client and server (the gateway's own classes, configured as BigBox)
    odoo_day     the sandbox, and the warehouse/accounting work done in it through odoorpc
    watch        waiting on the journal (read-only) until the gateway has done what a step expects
    summary      the per-partner table, from the journal
    progress     a bar on a terminal, plain lines otherwise
    child        `edi-gateway` as a child that ends when the demo does
"""
