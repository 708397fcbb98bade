// Renderer entry: find the core (Electron bridge or web server), build the window's state, mount the UI.
import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { connectToCore } from './lib/api';
import { Softphone } from './state/softphone.svelte';

const phone = new Softphone(connectToCore(window));
const target = document.getElementById('app');
if (target) {
  mount(App, { target, props: { phone } });
  void phone.start();
}
