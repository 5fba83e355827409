//! Carrying out what a mutation asked for: webhook events now, reviews and credit
//! offers after their delays.

use crate::Shared;
use crate::state::Effects;
use std::sync::Arc;
use time::OffsetDateTime;

/// Sends the events and schedules the reviews and offers of `fx`.
pub fn apply(st: &Arc<Shared>, fx: Effects) {
    for e in fx.events {
        st.hooks.send(e);
    }
    for job in fx.reviews {
        let st = st.clone();
        tokio::spawn(async move {
            tokio::time::sleep(st.config.review_delay).await;
            let fx = {
                let mut db = st.db.write().await;
                if !db.review_is_current(&job.customer_id, &job.item_type, job.seq) {
                    return;
                }
                db.set_item(&job.customer_id, &job.item_type, &job.status, job.message, OffsetDateTime::now_utc())
            };
            apply(&st, fx);
        });
    }
    for customer in fx.activated {
        let st = st.clone();
        tokio::spawn(async move {
            tokio::time::sleep(st.config.offer_delay).await;
            let event = st.db.write().await.make_offer(&customer, OffsetDateTime::now_utc());
            if let Some(e) = event {
                st.hooks.send(e);
            }
        });
    }
}
