//! A phone's facts as the tests' phones give them: a passcode set, not rooted, no WhatsApp.

use televisit_core::{DeviceFacts, DeviceSnapshot};

pub struct Phone;

impl DeviceFacts for Phone {
    fn snapshot(&self) -> DeviceSnapshot {
        DeviceSnapshot {
            passcode_set: true,
            compromised: false,
            os_version: "16".into(),
            whatsapp: vec![],
            utc_offset_minutes: 0,
        }
    }
}
